import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { PrivateRedis, redisUnavailable } from '../../test/redis.js';
import type { Actor } from '../auth/roles.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../log.js';
import { type GroupLimit, GroupLimitDirectory } from './groups.js';
import { RateLimits } from './rate-limits.js';
import { type LimitStore, openLimitStore } from './store.js';
import { TokenWindows } from './tokens.js';

const actor = (userId: string): Actor => ({
  userId,
  username: userId,
  name: '',
  avatarUrl: '',
  role: 'member',
  apiKeyId: `${userId}-key`,
});

/** Groups as the directory would hand them out: user id → its groups with limits. */
function directory(groups: Record<string, GroupLimit[]>) {
  return { of: (userId: string) => groups[userId] ?? [], count: Object.keys(groups).length };
}

/**
 * One replica's limits over `store`. Request tests keep real minutes (no slow machine crosses
 * one); token tests shorten them to a second so recovery comes quickly.
 */
function replica(
  store: LimitStore,
  options: { groups?: ReturnType<typeof directory>; userTokensPerMinute?: number; minuteS?: number } = {},
) {
  return new RateLimits({
    tokenPerSecond: 0,
    userPerMinute: 0,
    userTokensPerMinute: options.userTokensPerMinute,
    groups: options.groups,
    store,
    replicas: () => 2,
    metrics: new Registry(),
    minuteS: options.minuteS ?? 60,
    tokens: new TokenWindows(20, 20),
  });
}

const group = (
  name: string,
  requestsPerMinute: number | null,
  tokensPerMinute: number | null,
): GroupLimit => ({
  id: `00000000-0000-4000-8000-${name.padStart(12, '0')}`,
  name,
  requestsPerMinute,
  tokensPerMinute,
});

/** Two replicas' limits; on one store that is process memory (PGlite), one replica serves both. */
function pair(
  stores: () => [LimitStore, LimitStore],
  options: Parameters<typeof replica>[1],
): [RateLimits, RateLimits] {
  const [one, two] = stores();
  const first = replica(one, options);
  return [first, one === two ? first : replica(two, options)];
}

/** Whether each of `who`, in turn, was admitted. */
async function turns(replicas: RateLimits[], who: Actor[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const [i, person] of who.entries()) {
    out.push((await replicas[i % replicas.length]?.admit(person)) === undefined);
  }
  return out;
}

/** The behaviours every store must give: pools shared by members, several groups, token windows. */
function behaviours(stores: () => [LimitStore, LimitStore]) {
  it("shares a group's requests among its members, whichever replica they reach", async () => {
    const pool = group('pool', 4, null);
    const groups = directory({ 'pool-a': [pool], 'pool-b': [pool] });
    const replicas = pair(stores, { groups });
    const a = actor('pool-a');
    const b = actor('pool-b');
    expect(await turns(replicas, [a, b, a, b, a, b])).toEqual([true, true, true, true, false, false]);
    expect(await replicas[1]?.admit(a)).toMatchObject({
      scope: 'group',
      unit: 'requests',
      group: 'pool',
      limit: 4,
    });
    expect(await replicas[0]?.admit(actor('outsider'))).toBeUndefined();
  });

  it('needs room in every group of a person in several', async () => {
    const wide = group('wide', 100, null);
    const narrow = group('narrow', 2, null);
    const groups = directory({ both: [wide, narrow], 'wide-only': [wide] });
    const [one] = stores();
    const limits = replica(one, { groups });
    const both = actor('both');
    expect(await turns([limits], [both, both, both])).toEqual([true, true, false]);
    const refusal = await limits.admit(both);
    expect(refusal).toMatchObject({
      scope: 'group',
      unit: 'requests',
      group: 'narrow',
      limit: 2,
      windowS: 60,
    });
    expect(refusal?.retryAfterMs).toBeGreaterThan(0);
    expect(await limits.admit(actor('wide-only'))).toBeUndefined();
  });

  it("refuses once a person's window has used its tokens, until the window passes", async () => {
    const [one] = stores();
    const limits = replica(one, { userTokensPerMinute: 500, minuteS: 1 });
    const a = actor('tpm-user');
    expect(await limits.admit(a)).toBeUndefined();
    // A large response: its tokens are known only when it ends, then consumed (at once here).
    limits.spend(a, 700);
    const refusal = await limits.admit(a);
    expect(refusal).toMatchObject({ scope: 'user', unit: 'tokens', limit: 500, windowS: 1 });
    expect(refusal?.retryAfterMs).toBeGreaterThan(0);
    expect(refusal?.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(await limits.admit(actor('tpm-someone-else'))).toBeUndefined();
    await expect.poll(async () => (await limits.admit(a)) === undefined, { interval: 100 }).toBe(true);
    await limits.close();
  });

  it("shares a group's tokens among its members across replicas", async () => {
    const pool = group('tokens', null, 1000);
    const groups = directory({ 'tpm-a': [pool], 'tpm-b': [pool] });
    const [first, second] = pair(stores, { groups, minuteS: 1 });
    const a = actor('tpm-a');
    const b = actor('tpm-b');
    expect(await second.admit(a)).toBeUndefined();
    // b's answer alone uses the group's window; a, on the other replica, is refused once that
    // replica has sent its tokens to the store.
    first.spend(b, 1100);
    await expect.poll(async () => (await second.admit(a))?.group, { interval: 20 }).toBe('tokens');
    expect(await first.admit(b)).toMatchObject({
      scope: 'group',
      unit: 'tokens',
      group: 'tokens',
      limit: 1000,
    });
    await expect.poll(async () => (await second.admit(a)) === undefined, { interval: 100 }).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });
}

describeEachDatabase('group and token limits', (db, kind) => {
  const stores = (): [LimitStore, LimitStore] => {
    // On PGlite there is only ever one replica: one memory store stands for both.
    if (kind === 'pglite') {
      const memory = openLimitStore({ redisUrl: undefined, pool: undefined });
      return [memory, memory];
    }
    const pool = db().pgPool;
    return [openLimitStore({ redisUrl: undefined, pool }), openLimitStore({ redisUrl: undefined, pool })];
  };
  behaviours(stores);

  it("follows groups' limits and memberships as they change, from whoever writes them", async () => {
    const log = createLogger('silent');
    const seen = new GroupLimitDirectory(db(), log, 50);
    await seen.start();
    try {
      const user = await addUser(db(), `dir-${kind}`);
      const made = await db()
        .kysely.insertInto('groups')
        .values({ name: `dir-${kind}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db().kysely.insertInto('group_members').values({ group_id: made.id, user_id: user }).execute();
      expect(seen.of(user)).toEqual([]);
      await db()
        .kysely.updateTable('groups')
        .set({ requests_per_minute: 600, tokens_per_minute: 2_000_000 })
        .where('id', '=', made.id)
        .execute();
      await expect
        .poll(() => seen.of(user))
        .toEqual([{ id: made.id, name: `dir-${kind}`, requestsPerMinute: 600, tokensPerMinute: 2_000_000 }]);
      expect(seen.count).toBeGreaterThanOrEqual(1);
      await db().kysely.deleteFrom('group_members').where('user_id', '=', user).execute();
      await expect.poll(() => seen.of(user)).toEqual([]);
    } finally {
      seen.stop();
    }
  });
});

describe.skipIf(redisUnavailable !== undefined)('group and token limits [redis]', () => {
  let redis: PrivateRedis;
  const opened: LimitStore[] = [];
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    for (let i = 0; i < 2; i++) opened.push(openLimitStore({ redisUrl: redis.url, pool: undefined }));
    await vi.waitFor(() => expect(opened.every((store) => store.connected)).toBe(true));
  });
  afterAll(async () => {
    for (const store of opened) await store.close();
    await redis.stop();
  });
  behaviours(() => [opened[0] as LimitStore, opened[1] as LimitStore]);
});

async function addUser(db: Database, username: string): Promise<string> {
  const row = await db.kysely
    .insertInto('users')
    .values({ username, role: 'member', last_seen_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
