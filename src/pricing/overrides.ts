import type { Kysely } from 'kysely';
import type { PriceOverrideRow, Schema } from '../db/schema/index.js';
import type { Logger } from '../log.js';
import { PriceOverrides } from '../store/price-overrides.js';
import type { PriceBook, PriceOverride } from './book.js';
import { type OverrideRates, ratesFromOverride } from './override-rates.js';

/**
 * How stale a replica's overrides may be: each replica reloads the table this often, and at
 * once after a write it serves itself. So a change reaches every replica within this bound.
 */
export const OVERRIDES_RELOAD_MS = 10_000;

/** An override row as the price book uses it. */
function overrideOf(row: PriceOverrideRow): PriceOverride {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    effectiveFrom: row.effective_from,
    rates: ratesFromOverride(row.rates as OverrideRates),
  };
}

/**
 * Keeps the price book's overrides in step with `aibridge_price_overrides` on every replica:
 * loads the (small) table at start, then every OVERRIDES_RELOAD_MS, and after each write made
 * through this replica. A failed reload keeps the previous overrides and logs.
 */
export class OverrideCache {
  private timer: NodeJS.Timeout | undefined;
  private readonly store: PriceOverrides;

  constructor(
    db: Kysely<Schema>,
    private readonly book: PriceBook,
    private readonly log: Logger,
    private readonly intervalMs = OVERRIDES_RELOAD_MS,
  ) {
    this.store = new PriceOverrides(db);
  }

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) =>
        this.log.warn({ err }, 'pricing: reloading price overrides failed'),
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Reads the table now (after a write, so this replica prices with it at once). */
  async reload(): Promise<void> {
    this.book.setOverrides((await this.store.list()).map(overrideOf));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
