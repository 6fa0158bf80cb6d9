import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';
import type { SpoolStats } from './recorder.js';

/** What the outage path exposes; read at scrape time, nothing on the request path. */
export interface SpoolMetricsSource {
  depthBytes(): number;
  stats(): SpoolStats | undefined;
  /** Records replays left out because their user's row was gone. */
  discarded(): number;
}

/**
 * An operator's view of an outage: how much is waiting in the spool to be replayed, how many
 * interceptions were journaled or refused because it was full, and records lost (which stays 0
 * unless shutdown could neither write nor spool them). Returns the lost-records counter.
 */
export function registerSpoolMetrics(registry: Registry, source: SpoolMetricsSource): Counter {
  new Gauge({
    name: `${METRIC_PREFIX}spool_bytes`,
    help: 'Bytes in <data dir>/spool waiting to be replayed into the database.',
    registers: [registry],
    collect() {
      this.set(source.depthBytes());
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}spool_interceptions`,
    help: 'Interceptions since start by outage outcome: journaled (served, replayed later) or refused (journal full).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const stats = source.stats();
      this.set({ outcome: 'journaled' }, stats?.journaledInterceptions ?? 0);
      this.set({ outcome: 'refused' }, stats?.refused ?? 0);
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}spool_records_discarded_total`,
    help: "Spooled or journaled records a replay left out because their user's row is no longer in the database.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.discarded());
    },
  });
  return new Counter({
    name: `${METRIC_PREFIX}records_dropped_total`,
    help: 'Records neither written nor spooled (shutdown with the database down and the spool off or failing). Stays 0.',
    registers: [registry],
  });
}
