import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';
import type { Database } from './database.js';

/**
 * The database as an operator watches it, read at scrape time: the pool's connections (a pool
 * with callers waiting is the first sign of a database falling behind) and the calls that
 * failed because it was unreachable.
 */
export function registerDatabaseMetrics(registry: Registry, db: Database): void {
  new Gauge({
    name: `${METRIC_PREFIX}database_pool_connections`,
    help: 'PostgreSQL pool connections by state (total open, idle) and callers waiting for one.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const usage = db.poolUsage();
      if (!usage) return;
      this.set({ state: 'total' }, usage.total);
      this.set({ state: 'idle' }, usage.idle);
      this.set({ state: 'waiting' }, usage.waiting);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}database_unavailable_errors`,
    help: 'Database calls since start that failed because the database was unreachable or timed out.',
    registers: [registry],
    collect() {
      this.set(db.health.totalFailures);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}database_up`,
    help: '1 while the database answers, 0 during an outage.',
    registers: [registry],
    collect() {
      this.set(db.health.down ? 0 : 1);
    },
  });
}
