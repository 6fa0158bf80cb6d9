import { Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';
import type { RecorderStats } from './recorder.js';

/**
 * Exposes the recorder's batching on /metrics, read at scrape time (nothing on the request
 * path): queue depth shows the database falling behind before admission starts refusing, and
 * rows ÷ statements shows how much group commit and batching save.
 */
export function registerRecorderMetrics(
  registry: Registry,
  stats: () => RecorderStats,
): (seconds: number) => void {
  new Gauge({
    name: `${METRIC_PREFIX}recorder_queue_depth`,
    help: 'Records queued for the database and not yet written.',
    registers: [registry],
    collect() {
      this.set(stats().queueDepth);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}recorder_statements`,
    help: 'Statements written by the recorder since start, by kind (start inserts, async batches).',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = stats();
      this.set({ kind: 'start' }, s.startStatements);
      this.set({ kind: 'batch' }, s.batches);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}recorder_rows`,
    help: 'Rows written by the recorder since start, by kind (interception starts, async records).',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = stats();
      this.set({ kind: 'start' }, s.startRows);
      this.set({ kind: 'batch' }, s.batchedRecords);
    },
  });
  const flush = new Histogram({
    name: `${METRIC_PREFIX}recorder_flush_seconds`,
    help: 'Time to write one batch of records (one statement, one transaction).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  return (seconds) => flush.observe(seconds);
}
