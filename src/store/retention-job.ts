import { Counter, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { METRIC_PREFIX } from '../metrics.js';
import { type PurgeCount, RetentionStore } from './retention.js';

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

/** What one purge run deleted, and whether it got to the end. */
export interface PurgeRun {
  interceptions: number;
  rows: number;
  /** Nothing older than the cutoff is left (false when stopped, out of time or skipped). */
  done: boolean;
  /** Another replica held the lock and the run did not wait for it. */
  skipped: boolean;
  /** On a failed run's error: what had been deleted before it failed. */
  progress?: { interceptions: number; rows: number };
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
    try {
      const run = await this.purgeBefore(cutoff, { wait: false });
      if (run.skipped) {
        this.options.log.debug('retention purge skipped: another replica is purging');
        return run.rows > 0 ? run.rows : undefined;
      }
      return run.rows;
    } catch (error) {
      const partial = error as Partial<PurgeRun>;
      this.options.log.warn({ err: errorMessage(error), ...partial.progress }, 'retention purge failed');
      return partial.progress?.rows ?? 0;
    }
  }

  /**
   * Deletes interceptions started before `cutoff` with everything under them, in the job's
   * batches (one transaction each, under the purge lock). Without `wait` it gives up when
   * another replica holds the lock (`skipped`); with it, it takes turns with that replica.
   * `deadline` (epoch ms) bounds a run requested over HTTP: `done` says whether it finished.
   * Each batch counts in the purge metric; a run that deleted something is logged.
   */
  async purgeBefore(cutoff: Date, options: { wait: boolean; deadline?: number }): Promise<PurgeRun> {
    const batchSize = this.options.batchSize ?? BATCH_SIZE;
    const started = Date.now();
    const progress = { interceptions: 0, rows: 0 };
    let done = false;
    try {
      while (!this.stopping && (options.deadline === undefined || Date.now() < options.deadline)) {
        const batch = await this.store.purgeBatch(cutoff, batchSize, options.wait);
        if (!batch) return { ...progress, done: false, skipped: true };
        progress.interceptions += batch.interceptions;
        progress.rows += batch.rows;
        this.purged.inc({ record_type: 'aibridge_records' }, batch.rows);
        if (batch.interceptions < batchSize) {
          done = true;
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      throw Object.assign(error as Error, { progress });
    }
    const fields = { ...progress, cutoff: cutoff.toISOString(), ms: Date.now() - started };
    if (progress.rows > 0) this.options.log.info(fields, 'retention purge');
    else this.options.log.debug(fields, 'retention purge: nothing to delete');
    return { ...progress, done, skipped: false };
  }

  /** What a purge with this cutoff would delete, deleting nothing. */
  countBefore(cutoff: Date): Promise<PurgeCount> {
    return this.store.countBefore(cutoff);
  }

  /** Stops scheduling and waits for a purge in progress to finish its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
