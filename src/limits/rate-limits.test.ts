import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreshDatabase, freshDatabase, postgresUnavailable } from '../../test/databases.js';
import { PrivateRedis, redisUnavailable } from '../../test/redis.js';
import type { Actor } from '../auth/roles.js';
import { RateLimits } from './rate-limits.js';
import { type LimitStore, openLimitStore } from './store.js';

const actor = (userId: string, apiKeyId = `${userId}-key`): Actor => ({
  userId,
  username: userId,
  name: '',
  avatarUrl: '',
  role: 'member',
  apiKeyId,
});

/** A replica's limits over `store`: per-minute per user (a window no slow machine outlasts). */
function replica(store: LimitStore, perMinute: number, replicas = 3) {
  const metrics = new Registry();
  const limits = new RateLimits({
    tokenPerSecond: 0,
    userPerMinute: perMinute,
    store,
    replicas: () => replicas,
    metrics,
  });
  return { limits, metrics };
}

/** Sends `count` requests of one person, round-robin over the replicas; counts those let through. */
async function admitted(replicas: RateLimits[], who: Actor, count: number): Promise<number> {
  let passed = 0;
  for (let i = 0; i < count; i++) {
    if ((await replicas[i % replicas.length]?.admit(who)) === undefined) passed++;
  }
  return passed;
}

async function degradedMetric(metrics: Registry): Promise<number | undefined> {
  const metric = await metrics.getSingleMetric('aibridge_rate_limit_degraded')?.get();
  return metric?.values[0]?.value;
}

describe('one replica on the embedded database', () => {
  it('counts in memory and refuses past the limit with the time left in the window', async () => {
    const { limits } = replica(openLimitStore({ redisUrl: undefined, pool: undefined }), 2);
    expect(await admitted([limits], actor('solo'), 5)).toBe(2);
    const refusal = await limits.admit(actor('solo'));
    expect(refusal).toMatchObject({ scope: 'user', limit: 2, windowS: 60 });
    expect(refusal?.retryAfterMs).toBeGreaterThan(0);
    expect(refusal?.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await limits.admit(actor('someone-else'))).toBeUndefined();
  });
});

describe.skipIf(postgresUnavailable !== undefined)('replicas sharing PostgreSQL', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase('postgres');
  });
  afterAll(async () => {
    await fresh.dispose();
  });

  it('lets through what one replica would, whichever replica a request reaches', async () => {
    const pool = fresh.db.pgPool;
    const three = [1, 2, 3].map(() => replica(openLimitStore({ redisUrl: undefined, pool }), 6).limits);
    expect(await admitted(three, actor('shared'), 15)).toBe(6);
    const { rows } = await pool!.query<{ key: string; points: number }>(
      'select key, points from aibridge_rate_limits',
    );
    // Keyed by user id (never a token's secret). Once over, each replica asked the store once and
    // then refused in memory for the rest of the window: at most 6 + 3 points were counted.
    expect(rows.map((row) => row.key)).toEqual(['aibridge:user:shared']);
    expect(rows[0]?.points).toBeLessThanOrEqual(9);
  });

  it('falls back to limit ÷ replicas, and says so, when the store cannot be reached', async () => {
    const dead = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    dead.on('error', () => {});
    const { limits, metrics } = replica(openLimitStore({ redisUrl: undefined, pool: dead }), 9, 3);
    expect(await admitted([limits], actor('cut-off'), 6)).toBe(3);
    expect(limits.degraded).toBe(true);
    expect(await degradedMetric(metrics)).toBe(1);
    expect(limits.status()).toMatchObject({
      store: 'postgres',
      degraded: true,
      replicas: 3,
      limits: { user: { limit: 9, windowSeconds: 60, replicaShare: 3 } },
    });
    await dead.end();
  });
});

describe.skipIf(redisUnavailable !== undefined)('replicas sharing Redis', () => {
  let redis: PrivateRedis;
  const stores: LimitStore[] = [];
  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis.stop();
  });

  it('counts globally in Redis, and falls back to the share when Redis goes away', async () => {
    const open = () => {
      const store = openLimitStore({ redisUrl: redis.url, pool: undefined });
      stores.push(store);
      return replica(store, 4, 2);
    };
    const two = [open(), open()];
    // ioredis connects in the background; a command before that would take the fallback.
    await expect.poll(() => stores.every((store) => store.connected)).toBe(true);
    expect(
      await admitted(
        two.map((r) => r.limits),
        actor('redis-user'),
        10,
      ),
    ).toBe(4);
    expect(await degradedMetric(two[0]!.metrics)).toBe(0);

    await redis.stop();
    const [first] = two;
    await expect.poll(async () => (await first?.limits.admit(actor('after-redis'))) !== undefined).toBe(true);
    expect(first?.limits.degraded).toBe(true);
    expect(first?.limits.status()).toMatchObject({ store: 'redis', degraded: true, replicas: 2 });
  });
});
