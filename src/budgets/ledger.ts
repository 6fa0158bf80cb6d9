import { counterKey, type LeaseResult } from './store.js';

/** One budget period a request is charged to, and what admission reserved on it. */
export interface Charge {
  budgetId: string;
  periodStart: Date;
  limitMicros: number;
  reservedMicros: number;
}

/** Exchanges lease with the shared counters (the database in production). */
export type LeaseExchange = (
  budgetId: string,
  periodStart: Date,
  limitMicros: number,
  returnMicros: number,
  wantMicros: number,
) => Promise<LeaseResult>;

/** This process's view of one budget period. */
interface Account {
  budgetId: string;
  periodStart: Date;
  limitMicros: number;
  /** Room this process has leased from the shared counters and not given back. */
  held: number;
  /** Estimates of this process's requests in flight. */
  reserved: number;
  /** Settled cost (already in the shared `spent`) still counted in `held`. */
  consumed: number;
  /** The shared counters at the last exchange. */
  spentSeen: number;
  leasedSeen: number;
  exchanging: Promise<void> | undefined;
  usedAt: number;
}

/** How much room a process leases at a time, as a share of the limit (and at least the need). */
const LEASE_SHARE = 0.1;

/**
 * The reservation ledger. Room is leased from the shared counters in chunks (a tenth of the
 * limit, or what a request needs); admission reserves a request's estimate from this process's
 * lease in memory, with no database round trip while the lease lasts. The shared counters keep
 * `spent + leased ≤ limit` for every grant, so processes cannot hand out the same room twice;
 * in one process, reservations never exceed the lease. Settled cost is added to `spent` in the
 * recorder's batch, then taken out of the lease at the next exchange.
 */
export class BudgetLedger {
  private readonly accounts = new Map<string, Account>();

  constructor(
    private readonly exchange: LeaseExchange,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reserves every charge's estimate, or none: resolves to the charge that had no room (and
   * could not get it from the shared counters), or undefined once all are reserved.
   */
  async reserve(charges: readonly Charge[]): Promise<Charge | undefined> {
    for (let round = 0; ; round++) {
      const short = charges.filter((c) => this.available(this.account(c)) < c.reservedMicros);
      if (short.length === 0) {
        for (const c of charges) {
          const account = this.account(c);
          account.reserved += c.reservedMicros;
          account.usedAt = this.now();
        }
        return undefined;
      }
      if (round > 0) return short[0];
      await Promise.all(
        short.map((c) => {
          const account = this.account(c);
          const need = c.reservedMicros - this.available(account);
          return this.sync(account, Math.max(need, Math.ceil(account.limitMicros * LEASE_SHARE)));
        }),
      );
    }
  }

  /**
   * A reserved request ended and its batch committed: its estimate is released. The batch moved
   * min(cost, reserved) from the shared lease to `spent` in the same statement, so this process
   * holds that much less; what the cost overran the reservation by is consumed from the rest of
   * the lease and given back at the next exchange.
   */
  settle(charges: readonly Charge[], costMicros: number): void {
    for (const c of charges) {
      const account = this.accounts.get(counterKey(c.budgetId, c.periodStart));
      if (!account) continue;
      const released = Math.min(costMicros, c.reservedMicros, account.held);
      account.reserved = Math.max(0, account.reserved - c.reservedMicros);
      account.held -= released;
      account.consumed += costMicros - released;
      account.spentSeen += released;
      account.leasedSeen = Math.max(0, account.leasedSeen - released);
    }
  }

  /** What this process believes is left of a budget period (for the remaining header). */
  remaining(c: Pick<Charge, 'budgetId' | 'periodStart' | 'limitMicros'>): number {
    const account = this.accounts.get(counterKey(c.budgetId, c.periodStart));
    if (!account) return c.limitMicros;
    const othersLeased = Math.max(0, account.leasedSeen - account.held);
    return Math.max(
      0,
      account.limitMicros - account.spentSeen - othersLeased - account.consumed - account.reserved,
    );
  }

  /** The shared counters as last seen, plus what this process has settled since. */
  seen(c: Pick<Charge, 'budgetId' | 'periodStart'>): { spent: number; leased: number } | undefined {
    const account = this.accounts.get(counterKey(c.budgetId, c.periodStart));
    return account && { spent: account.spentSeen + account.consumed, leased: account.leasedSeen };
  }

  /**
   * Hands consumed lease back (and, for periods idle since `idleBefore`, all unused lease),
   * refreshing what this process knows of the shared counters. Called on a timer and at
   * shutdown (with `idleBefore` = Infinity, giving everything back).
   */
  async tidy(idleBefore: number): Promise<void> {
    await Promise.all(
      [...this.accounts.values()].map(async (account) => {
        const idle = account.usedAt < idleBefore && account.reserved === 0;
        if (account.consumed === 0 && !idle) return;
        await this.sync(account, 0, idle);
        if (idle && account.held === 0 && account.reserved === 0) {
          this.accounts.delete(counterKey(account.budgetId, account.periodStart));
        }
      }),
    );
  }

  private available(account: Account): number {
    return account.held - account.consumed - account.reserved;
  }

  private account(c: Charge): Account {
    const key = counterKey(c.budgetId, c.periodStart);
    let account = this.accounts.get(key);
    if (!account) {
      account = {
        budgetId: c.budgetId,
        periodStart: c.periodStart,
        limitMicros: c.limitMicros,
        held: 0,
        reserved: 0,
        consumed: 0,
        spentSeen: 0,
        leasedSeen: 0,
        exchanging: undefined,
        usedAt: this.now(),
      };
      this.accounts.set(key, account);
    }
    account.limitMicros = c.limitMicros;
    return account;
  }

  /** One exchange at a time per account; a caller arriving during one waits for it instead. */
  private async sync(account: Account, want: number, giveBackUnused = false): Promise<void> {
    while (account.exchanging) await account.exchanging;
    const run = async () => {
      // Consumed lease goes back (its cost is in `spent` already); beyond the lease, an
      // overrun is simply spent. Unused lease goes back only when asked.
      const consumedBefore = account.consumed;
      const unused = giveBackUnused ? Math.max(0, account.held - consumedBefore - account.reserved) : 0;
      const giveBack = Math.min(consumedBefore, account.held) + unused;
      const result = await this.exchange(
        account.budgetId,
        account.periodStart,
        account.limitMicros,
        giveBack,
        want,
      );
      account.held = account.held - giveBack + result.grantedMicros;
      // All consumption before the exchange is now in `spent` and out of the lease.
      account.consumed -= consumedBefore;
      account.spentSeen = result.spentMicros;
      account.leasedSeen = result.leasedMicros;
    };
    account.exchanging = run().finally(() => {
      account.exchanging = undefined;
    });
    await account.exchanging;
  }
}
