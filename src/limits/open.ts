import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { GroupLimitDirectory } from './groups.js';
import { RateLimits } from './rate-limits.js';
import { ReplicaCount } from './replicas.js';
import { openLimitStore } from './store.js';

/** The server's rate limits with what they stand on, and how to stop them. */
export interface OpenedLimits {
  limits: RateLimits;
  close(): Promise<void>;
}

/**
 * Builds the limits from the configuration and the groups' limits: the store (Redis, PostgreSQL
 * or memory), the replica count for the fallback share, and the limits over them. The replica
 * heartbeat starts only once some limit exists (a setting at start, or the first group given a
 * limit later), so a replica without limits never writes one.
 */
export async function openRateLimits(
  config: Config,
  db: Database,
  log: Logger,
  metrics: Registry,
): Promise<OpenedLimits> {
  const replicas = new ReplicaCount(db, log, config.replicas);
  const groups = new GroupLimitDirectory(db, log);
  const store = openLimitStore({ redisUrl: config.redisUrl, pool: db.pgPool });
  const limits = new RateLimits({
    tokenPerSecond: config.rateLimit,
    userPerMinute: config.userRateLimit,
    userTokensPerMinute: config.userTokensPerMinute,
    groups,
    store,
    replicas: () => replicas.current,
    storeDown: store.backend === 'postgres' ? () => db.health.down : undefined,
    metrics,
  });
  let counting: Promise<void> | undefined;
  const countReplicas = () => {
    if (limits.enabled) counting ??= replicas.start();
  };
  groups.onChange(countReplicas);
  await groups.start();
  countReplicas();
  await counting;
  return {
    limits,
    async close() {
      groups.stop();
      await limits.close();
      await counting;
      await replicas.stop();
      await store.close();
    },
  };
}
