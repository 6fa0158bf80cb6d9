import { Redis } from 'ioredis';
import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
} from 'rate-limiter-flexible';

/** Where the counters of the global limits live. */
export type LimitBackend = 'memory' | 'postgres' | 'redis';

/** The table our migration makes in the layout the library's PostgreSQL store uses. */
const TABLE = 'aibridge_rate_limits';

/** One limit's shape: `points` per `durationS`, and what answers while the store is away. */
interface LimitSpec {
  /** Part of each key (`token`, `user`), so limits sharing a store never share counters. */
  name: string;
  points: number;
  durationS: number;
  insurance: RateLimiterAbstract;
}

/**
 * Makes rate-limiter-flexible limiters over one shared store: PostgreSQL (the database every
 * replica already shares), Redis when `AIBRIDGE_REDIS_URL` is set, or process memory when
 * there is only ever one replica (the embedded database locks its directory to one process).
 */
export interface LimitStore {
  readonly backend: LimitBackend;
  /** False while the store's connection is down (Redis only knows this without asking). */
  readonly connected: boolean;
  create(spec: LimitSpec): RateLimiterAbstract;
  close(): Promise<void>;
}

/** Picks the store: Redis if configured, else the PostgreSQL pool, else memory (PGlite). */
export function openLimitStore(options: {
  redisUrl: string | undefined;
  pool: pg.Pool | undefined;
}): LimitStore {
  if (options.redisUrl) return redisStore(options.redisUrl);
  if (options.pool) return postgresStore(options.pool);
  return memoryStore();
}

/**
 * Every limiter blocks a key in memory once it has used its points (`inMemoryBlockOnConsumed`),
 * until its window ends: refused requests then cost no store round trip.
 */
function common(spec: LimitSpec) {
  return {
    keyPrefix: `aibridge:${spec.name}`,
    points: spec.points,
    duration: spec.durationS,
    inMemoryBlockOnConsumed: spec.points,
    insuranceLimiter: spec.insurance,
  };
}

function postgresStore(pool: pg.Pool): LimitStore {
  const limiters: RateLimiterPostgres[] = [];
  return {
    backend: 'postgres',
    connected: true,
    create(spec) {
      // tableCreated: the migration made the table; the library only reads and upserts rows
      // (and deletes those expired an hour ago, every five minutes).
      const limiter = new RateLimiterPostgres({
        ...common(spec),
        storeClient: pool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
      });
      limiters.push(limiter);
      return limiter;
    },
    async close() {
      for (const limiter of limiters) stopExpiryTimer(limiter);
    },
  };
}

function redisStore(url: string): LimitStore {
  // No offline queue: while Redis is away a command fails at once and the share answers,
  // instead of requests waiting on a reconnect.
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  client.on('error', () => {
    // Reconnects by itself; until then the limits fall back to this replica's share.
  });
  return {
    backend: 'redis',
    get connected() {
      return client.status === 'ready';
    },
    create(spec) {
      return new RateLimiterRedis({ ...common(spec), storeClient: client, rejectIfRedisNotReady: true });
    },
    async close() {
      client.disconnect();
    },
  };
}

function memoryStore(): LimitStore {
  return {
    backend: 'memory',
    connected: true,
    create: (spec) =>
      new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.durationS }),
    async close() {},
  };
}

/** The PostgreSQL store re-arms an unref'd five-minute timer; clear it so tests end cleanly. */
function stopExpiryTimer(limiter: RateLimiterPostgres): void {
  // any: the library keeps the timer on a private field it does not type.
  const timer = (limiter as unknown as { _clearExpiredTimeoutId?: NodeJS.Timeout })._clearExpiredTimeoutId;
  if (timer) clearTimeout(timer);
}
