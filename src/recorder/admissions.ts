import type { QueueBudget } from './budget.js';
import type { AsyncRecord } from './types.js';

/** An interception that has room reserved and has not ended yet. */
interface Reservation {
  remaining: number;
  since: number;
}

/** An interception still open after this long is taken as abandoned, and its room is given back. */
const ABANDONED_MS = 60 * 60 * 1000;

/**
 * Ties the queue's reservations to interceptions: `admit` reserves room under an interception's
 * id for the records it will queue, each record it queues turns one reserved slot into a queued
 * one, and its end gives back the rest (a start that could not be written gives back all of
 * it). This is what keeps a burst of concurrent requests within the queue's bound: their
 * records are promised room before any of them exists.
 */
export class Admissions {
  private readonly open = new Map<string, Reservation>();

  constructor(
    private readonly budget: QueueBudget,
    private readonly perInterception: number,
  ) {}

  /** Waits for room for one more interception and reserves it (refused when the queue stays full). */
  admit(interceptionId: string): Promise<void> {
    return this.budget.admit(this.perInterception).then(
      () => {
        this.open.set(interceptionId, { remaining: this.perInterception, since: Date.now() });
      },
      (error: unknown) => {
        this.forgetAbandoned(Date.now());
        throw error;
      },
    );
  }

  /** One of its records was queued (and now counts as queued, not reserved). */
  recorded(record: AsyncRecord): void {
    const reservation = this.open.get(record.interceptionId);
    if (!reservation) return;
    if (record.kind === 'end') {
      this.release(record.interceptionId);
    } else if (reservation.remaining > 0) {
      reservation.remaining--;
      this.budget.release(1);
    }
  }

  /** Gives back what is left of an interception's room: it ended, or its start was never written. */
  release(interceptionId: string): void {
    const reservation = this.open.get(interceptionId);
    if (!reservation) return;
    this.open.delete(interceptionId);
    this.budget.release(reservation.remaining);
  }

  /** Gives back the room of interceptions that never recorded an end (a bug elsewhere, not a load). */
  private forgetAbandoned(now: number): void {
    for (const [id, reservation] of this.open) {
      if (now - reservation.since < ABANDONED_MS) break; // insertion order: the rest are younger
      this.release(id);
    }
  }
}
