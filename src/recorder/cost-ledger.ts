import type { PriceBook } from '../pricing/book.js';
import { type CostSnapshot, costOf } from '../pricing/cost.js';
import type { UnpricedCounter } from '../pricing/metrics.js';
import { billableUsage } from '../pricing/usage.js';
import type { AsyncRecord, PricedAs } from './types.js';

/** A token row's cost: integer micro-dollars and the rates used, or null when the model is unpriced. */
type RowCost = { micros: number; snapshot: CostSnapshot } | null;

/** What one batch writes about cost; `commit` is called once the batch is in the database. */
export interface BatchCosts {
  rowCost(record: AsyncRecord): RowCost;
  /** The interception's whole cost when its end is in this batch (null: unpriced). */
  endCost(interceptionId: string): number | null;
  commit(): void;
}

interface Running {
  micros: number | null;
  pricedAs: PricedAs;
}

/**
 * Prices token rows in the recorder's batch (off the request path) and sums them per
 * interception until its end is written, so the interception's cost is set by the same
 * statement that sets `ended_at`, with no read back. One ledger per recording lane: all of an
 * interception's records go to one lane, in order. A batch's sums are kept only once it is
 * committed, so a retried batch is priced the same way again, never twice.
 */
export class CostLedger {
  private readonly open = new Map<string, Running>();

  constructor(
    private readonly book: PriceBook,
    private readonly unpriced: UnpricedCounter | undefined,
  ) {}

  /** Prices a batch's token rows and totals the interceptions it ends. */
  prepare(records: readonly AsyncRecord[]): BatchCosts {
    const touched = new Map<string, Running>();
    const rows = new Map<AsyncRecord, RowCost>();
    const ends = new Map<string, number | null>();
    for (const r of records) {
      if (r.kind === 'token_usage') {
        const price = this.book.priceOf(r.pricedAs.provider, r.pricedAs.model, r.pricedAs.startedAt);
        const cost = price ? costOf(billableUsage(r), price) : null;
        rows.set(r, cost);
        const running = touched.get(r.interceptionId) ?? this.open.get(r.interceptionId);
        const micros = running === undefined ? 0 : running.micros;
        touched.set(r.interceptionId, {
          micros: micros === null || cost === null ? null : micros + cost.micros,
          pricedAs: r.pricedAs,
        });
      } else if (r.kind === 'end') {
        const running = touched.get(r.interceptionId) ?? this.open.get(r.interceptionId);
        ends.set(r.interceptionId, running === undefined ? 0 : running.micros);
      }
    }
    return {
      rowCost: (record) => rows.get(record) ?? null,
      endCost: (id) => {
        const micros = ends.get(id);
        return micros === undefined ? 0 : micros;
      },
      commit: () => {
        for (const [id, running] of touched) this.open.set(id, running);
        for (const [id, micros] of ends) {
          const running = this.open.get(id);
          if (micros === null && running) this.unpriced?.(running.pricedAs.provider, running.pricedAs.model);
          this.open.delete(id);
        }
      },
    };
  }
}
