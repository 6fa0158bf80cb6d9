import { Counter, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { METRIC_PREFIX } from '../metrics.js';
import { RetentionStore } from './retention.js';

/** How a retention job runs; the defaults are the reference's. */
export interface RetentionJobOptions {
  db: Database;
  log: Logger;
  metrics: Registry;
  /** Keep interceptions this long; 0 keeps them forever (the job then never runs). */
  retentionMs: number;
  intervalMs?: number;
  batchSize?: number;
}

const TEN_MINUTES = 10 * 60 * 1000;
const BATCH_SIZE = 5000;

/**
 * Purges interceptions past the retention at start and every ten minutes. Each batch takes
 * a database advisory lock, so with several replicas on one database only one purges at a
 * time; the others skip that run.
 */
export class RetentionJob {
  private readonly purged: Counter<'record_type'>;
  private readonly store: RetentionStore;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(private readonly options: RetentionJobOptions) {
    this.store = new RetentionStore(options.db.kysely);
    const name = `${METRIC_PREFIX}dbpurge_records_purged_total`;
    this.purged =
      (options.metrics.getSingleMetric(name) as Counter<'record_type'> | undefined) ??
      new Counter({
        name,
        help: 'Rows deleted by the retention purge (interceptions and the records under them).',
        labelNames: ['record_type'],
        registers: [options.metrics],
      });
  }

  /** Runs a purge now and then on the interval; does nothing when retention is 0 (forever). */
  start(): void {
    if (this.options.retentionMs <= 0) return;
    const tick = () => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs ?? TEN_MINUTES);
    this.timer.unref();
  }

  /**
   * One purge: batches until nothing old is left. Returns the rows deleted, or undefined when
   * another replica holds the lock. Failures are logged, never thrown.
   */
  async runOnce(now = new Date()): Promise<number | undefined> {
    const cutoff = new Date(now.getTime() - this.options.retentionMs);
    const batchSize = this.options.batchSize ?? BATCH_SIZE;
    const started = Date.now();
    let interceptions = 0;
    let rows = 0;
    try {
      while (!this.stopping) {
        const batch = await this.store.purgeBatch(cutoff, batchSize);
        if (!batch) {
          this.options.log.debug('retention purge skipped: another replica is purging');
          return rows > 0 ? rows : undefined;
        }
        interceptions += batch.interceptions;
        rows += batch.rows;
        this.purged.inc({ record_type: 'aibridge_records' }, batch.rows);
        if (batch.interceptions < batchSize) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.options.log.warn({ err: errorMessage(error), interceptions, rows }, 'retention purge failed');
      return rows;
    }
    const fields = { interceptions, rows, cutoff: cutoff.toISOString(), ms: Date.now() - started };
    if (rows > 0) this.options.log.info(fields, 'retention purge');
    else this.options.log.debug(fields, 'retention purge: nothing to delete');
    return rows;
  }

  /** Stops scheduling and waits for a purge in progress to finish its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
