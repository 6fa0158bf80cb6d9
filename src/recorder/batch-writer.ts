import { setTimeout as sleep } from 'node:timers/promises';
import { sqlState } from '../db/errors.js';
import type { Logger } from '../log.js';
import type { QueueBudget } from './budget.js';
import type { AsyncRecord } from './types.js';

/** A queued record with its place in line and an estimate of the memory it holds. */
export interface QueuedRecord {
  seq: number;
  record: AsyncRecord;
  bytes: number;
}

/** How the writer batches, bounds memory and retries; defaults suit a gateway replica. */
export interface BatchWriterOptions {
  /** Writes one batch; throws to have it retried (or split, for data errors). */
  write: (records: readonly AsyncRecord[]) => Promise<void>;
  /** Told about each batch once it is committed (or given up on). */
  onSettled?: (entries: readonly QueuedRecord[]) => void;
  log: Logger;
  /** How long the first record of a batch waits for company before the batch is written. */
  lingerMs?: number;
  maxBatch?: number;
  /** The queue's bound, shared with the other lanes: queued records count against it. */
  budget: QueueBudget;
  /** Told how long each committed batch took to write (the flush latency metric). */
  onFlush?: ((seconds: number) => void) | undefined;
}

const RESOLVED = Promise.resolve();
const MAX_RETRY_DELAY_MS = 5000;
/** Keeps one statement (and the strings built for it) small even when prompts are megabytes. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * The asynchronous half of the recorder: records are queued in order and written in batches
 * (one transaction each), so a burst of N interceptions costs a few statements rather than N.
 * The queue is bounded by its budget: when the database falls behind, the recorder makes new
 * interceptions wait for room and then refuses them, instead of dropping records or growing
 * without limit. Transient
 * failures are retried forever (until shutdown gives up); a batch the database rejects as bad
 * data is retried row by row so only the bad row is lost, and logged.
 */
export class BatchWriter {
  private queue: QueuedRecord[] = [];
  private nextSeq = 1;
  private committed = 0;
  private durableWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private giveUpAt: number | undefined;
  /** Shutdown gave up on the database: what is still queued goes back to `close`'s caller. */
  private abandoned = false;
  /** Batches written and records they carried. */
  readonly stats = { batches: 0, records: 0 };
  private readonly lingerMs: number;
  private readonly maxBatch: number;

  constructor(private readonly options: BatchWriterOptions) {
    this.lingerMs = options.lingerMs ?? 10;
    this.maxBatch = options.maxBatch ?? 2000;
  }

  /** Queues a record and returns its sequence number. Never drops it. */
  add(record: AsyncRecord, bytes: number): number {
    const seq = this.nextSeq++;
    this.queue.push({ seq, record, bytes });
    this.options.budget.added(bytes);
    this.schedule();
    return seq;
  }

  /** Resolves once record `seq` (and all before it) is committed; flushes now instead of lingering. */
  durable(seq: number): Promise<void> {
    if (seq <= this.committed) return RESOLVED;
    return new Promise((resolve) => {
      this.durableWaiters.push({ seq, resolve });
      this.schedule(true);
    });
  }

  /** Records queued and not yet committed. */
  get depth(): number {
    return this.queue.length;
  }

  /**
   * Writes everything queued; after `timeoutMs` of failures, stops trying and hands back the
   * records it could not write (in order), for the caller to spool or report as lost.
   */
  async close(timeoutMs: number): Promise<AsyncRecord[]> {
    this.giveUpAt = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.writing) && !this.abandoned) {
      this.schedule(true);
      await this.writing;
    }
    if (this.timer) clearTimeout(this.timer);
    const left = this.queue.map((entry) => entry.record);
    this.queue = [];
    return left;
  }

  private schedule(now = false): void {
    if (this.writing || this.queue.length === 0 || this.abandoned) return;
    if (now || this.giveUpAt !== undefined || this.queue.length >= this.maxBatch) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.run();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.schedule(true);
    }, this.lingerMs);
  }

  private async run(): Promise<void> {
    try {
      do {
        const batch = this.nextBatch();
        if (!(await this.writeWithRetry(batch))) return;
        this.queue.splice(0, batch.length);
        this.settle(batch);
      } while (this.queue.length > 0 && this.mustHurry());
    } finally {
      this.writing = undefined;
      if (this.queue.length > 0) this.schedule();
    }
  }

  /** The oldest records, up to maxBatch of them and about MAX_BATCH_BYTES (never fewer than one). */
  private nextBatch(): QueuedRecord[] {
    let bytes = 0;
    let count = 0;
    for (const entry of this.queue) {
      if (count >= this.maxBatch || (count > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) break;
      bytes += entry.bytes;
      count++;
    }
    return this.queue.slice(0, count);
  }

  private mustHurry(): boolean {
    return (
      this.giveUpAt !== undefined || this.durableWaiters.length > 0 || this.queue.length >= this.maxBatch
    );
  }

  private settle(batch: QueuedRecord[]): void {
    const last = batch[batch.length - 1];
    if (!last) return;
    this.committed = last.seq;
    this.options.onSettled?.(batch);
    if (this.durableWaiters.length > 0) {
      const ready = this.durableWaiters.filter((w) => w.seq <= this.committed);
      this.durableWaiters = this.durableWaiters.filter((w) => w.seq > this.committed);
      for (const waiter of ready) waiter.resolve();
    }
    this.options.budget.removed(
      batch.length,
      batch.reduce((sum, entry) => sum + entry.bytes, 0),
    );
  }

  /** False when shutdown gave up: the batch stays queued for `close` to hand back. */
  private async writeWithRetry(batch: QueuedRecord[]): Promise<boolean> {
    let delay = 100;
    for (;;) {
      try {
        const began = performance.now();
        await this.options.write(batch.map((entry) => entry.record));
        this.options.onFlush?.((performance.now() - began) / 1000);
        this.stats.batches++;
        this.stats.records += batch.length;
        return true;
      } catch (error) {
        const state = sqlState(error) ?? '';
        if (state.startsWith('22') || state.startsWith('23')) {
          await this.writeOneByOne(batch);
          return true;
        }
        if (this.giveUpAt !== undefined && Date.now() >= this.giveUpAt) {
          this.abandoned = true;
          return false;
        }
        // The first failure of a streak is a warning; its retries would flood the log.
        const level = delay === 100 ? 'warn' : 'debug';
        this.options.log[level](
          { err: error, records: batch.length, retryInMs: delay },
          'recording: write failed, retrying',
        );
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private async writeOneByOne(batch: QueuedRecord[]): Promise<void> {
    for (const entry of batch) {
      try {
        await this.options.write([entry.record]);
      } catch (error) {
        const { kind, interceptionId } = entry.record;
        this.options.log.error(
          { err: error, kind, interceptionId },
          'recording: the database rejected a record',
        );
      }
    }
  }
}
