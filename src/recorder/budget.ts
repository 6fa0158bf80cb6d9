import { RecorderOverloadedError } from './types.js';

/** The queue's bounds: records, bytes, and how long new work may wait for room. */
export interface BudgetLimits {
  maxRecords: number;
  maxBytes: number;
  admitTimeoutMs: number;
}

/**
 * The memory the recording queue may hold, shared by every batch lane. Admission is counted
 * before the records exist: an admitted interception reserves room for the records it is
 * expected to queue, so a burst of requests that all pass admission at once cannot overfill
 * the queue later — without the reservation, N concurrent requests queue N × (records each)
 * whatever the bound. Waiters are let in one at a time, each taking its reservation as it goes.
 */
export class QueueBudget {
  private records = 0;
  private bytes = 0;
  private reserved = 0;
  private waiters: Array<{ cost: number; grant: () => void }> = [];

  constructor(private readonly limits: BudgetLimits) {}

  /** Records queued and not yet committed. */
  get queued(): number {
    return this.records;
  }

  /** Room promised to admitted work whose records are not queued yet. */
  get promised(): number {
    return this.reserved;
  }

  /** Resolves (taking `cost` records of room) once there is room; refuses after the timeout. */
  admit(cost: number): Promise<void> {
    if (this.waiters.length === 0 && this.hasRoom()) {
      this.reserved += cost;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        cost,
        grant: () => {
          clearTimeout(timer);
          this.reserved += cost;
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new RecorderOverloadedError('the recording queue is full'));
      }, this.limits.admitTimeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Gives back room reserved by `admit` (the records came, or never will). */
  release(cost: number): void {
    this.reserved = Math.max(0, this.reserved - cost);
    this.wake();
  }

  /** A record was queued. */
  added(bytes: number): void {
    this.records++;
    this.bytes += bytes;
  }

  /** Records left the queue (committed or given up on). */
  removed(count: number, bytes: number): void {
    this.records -= count;
    this.bytes -= bytes;
    this.wake();
  }

  private hasRoom(): boolean {
    return this.records + this.reserved < this.limits.maxRecords && this.bytes < this.limits.maxBytes;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.hasRoom()) this.waiters.shift()?.grant();
  }
}
