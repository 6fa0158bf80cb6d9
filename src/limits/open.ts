import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { RateLimits } from './rate-limits.js';
import { ReplicaCount } from './replicas.js';
import { openLimitStore } from './store.js';

/** The server's rate limits with what they stand on, and how to stop them. */
export interface OpenedLimits {
  limits: RateLimits;
  close(): Promise<void>;
}

/**
 * Builds the limits from the configuration: the store (Redis, PostgreSQL or memory), the
 * replica count for the fallback share, and the limits over them. Nothing starts when no limit
 * is configured, so a replica without limits never writes a heartbeat or opens Redis.
 */
export async function openRateLimits(
  config: Config,
  db: Database,
  log: Logger,
  metrics: Registry,
): Promise<OpenedLimits> {
  const replicas = new ReplicaCount(db, log, config.replicas);
  const configured = config.rateLimit > 0 || config.userRateLimit > 0;
  const store = openLimitStore({
    redisUrl: configured ? config.redisUrl : undefined,
    pool: configured ? db.pgPool : undefined,
  });
  const limits = new RateLimits({
    tokenPerSecond: config.rateLimit,
    userPerMinute: config.userRateLimit,
    store,
    replicas: () => replicas.current,
    storeDown: store.backend === 'postgres' ? () => db.health.down : undefined,
    metrics,
  });
  if (configured) await replicas.start();
  return {
    limits,
    async close() {
      await replicas.stop();
      await store.close();
    },
  };
}
