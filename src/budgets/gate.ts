import type { Logger } from '../log.js';
import type { PriceBook } from '../pricing/book.js';
import { dollars, estimateMicros } from './estimate.js';
import { BudgetLedger, type Charge } from './ledger.js';
import type { BudgetMetrics } from './metrics.js';
import { periodBounds } from './period.js';
import { applicableBudgets, type Budget, type BudgetRules } from './rules.js';
import type { BudgetStore } from './store.js';
import type { Webhook } from './webhook.js';

/** A request as admission sees it. */
export interface BudgetRequest {
  userId: string;
  provider: string;
  model: string;
  bodyBytes: number;
  maxTokens: number | undefined;
}

/** Admitted (with what was reserved, to settle later) or refused (with the message to show). */
export type Admission =
  | { ok: true; charges: Charge[] }
  | { ok: false; budget: string; message: string; remainingMicros: number };

/** How the gate is built; `now` is injectable so tests can roll periods over. */
export interface BudgetGateOptions {
  store: BudgetStore;
  prices: PriceBook;
  log: Logger;
  metrics: BudgetMetrics;
  timeZone: string;
  unpriced: 'allow' | 'deny';
  /** Where threshold events are sent, when configured. */
  webhook?: Webhook | undefined;
  now?: () => number;
  /** How stale the cached budgets and memberships may get (default 5 s). */
  rulesRefreshMs?: number;
  /** How often consumed lease is given back and counters refreshed (default 1 s). */
  tidyMs?: number;
}

/** Warning thresholds, in percent of the limit, each announced once per budget and period. */
const THRESHOLDS = [80, 100];
const IDLE_MS = 5000;

/**
 * Budget admission on the request path: the applicable budgets come from an in-memory copy of
 * the rules (refreshed every few seconds, and at once after a change through this process's
 * API); the reservation comes from the ledger's lease, so a request pays a database round
 * trip only when its process's lease runs out.
 */
export class BudgetGate {
  private rules: BudgetRules = { budgets: [], groupsOf: new Map() };
  private readonly ledger: BudgetLedger;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private tidying: Promise<void> | undefined;

  constructor(private readonly options: BudgetGateOptions) {
    this.now = options.now ?? Date.now;
    this.ledger = new BudgetLedger((...args) => options.store.exchangeLease(...args), this.now);
  }

  /** Loads the rules and starts the refresh and tidy timers. */
  async start(): Promise<void> {
    await this.reload();
    const every = (ms: number, run: () => Promise<void>) => {
      const timer = setInterval(() => {
        run().catch((error: unknown) =>
          this.options.log.warn({ err: error }, 'budgets: background work failed'),
        );
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.rulesRefreshMs ?? 5000, () => this.reload());
    every(this.options.tidyMs ?? 1000, () => this.tidy(this.now() - IDLE_MS));
  }

  /** Re-reads budgets and memberships (after a change, or on the timer). */
  async reload(): Promise<void> {
    this.rules = await this.options.store.loadRules();
  }

  /** Stops the timers and gives every lease back. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.tidy(Number.POSITIVE_INFINITY);
  }

  /** True when no budget exists at all: the request path skips admission entirely. */
  get idle(): boolean {
    return this.rules.budgets.length === 0;
  }

  /** Admits a request if every budget that applies has room for its estimate, reserving it. */
  async admit(request: BudgetRequest): Promise<Admission> {
    const at = new Date(this.now());
    const budgets = applicableBudgets(this.rules, request.userId, request.provider, request.model);
    if (budgets.length === 0) return { ok: true, charges: [] };
    const price = this.options.prices.priceOf(request.provider, request.model, at);
    if (!price && this.options.unpriced === 'deny') {
      const budget = budgets[0] as Budget;
      this.options.metrics.refused(budget.label);
      return {
        ok: false,
        budget: budget.label,
        remainingMicros: 0,
        message: `aibridge has no price for model ${request.model}, and budget ${budget.label} applies to you, so the request was refused (AIBRIDGE_BUDGET_UNPRICED=deny)`,
      };
    }
    const estimate = price ? estimateMicros(price, request.bodyBytes, request.maxTokens) : 0;
    const charges = budgets.map((b) => ({
      budgetId: b.id,
      periodStart: periodBounds(b.period, at, this.options.timeZone).start,
      limitMicros: b.limitMicros,
      reservedMicros: estimate,
    }));
    const short = await this.ledger.reserve(charges);
    if (!short) return { ok: true, charges };
    const budget = budgets.find((b) => b.id === short.budgetId) as Budget;
    this.options.metrics.refused(budget.label);
    return {
      ok: false,
      budget: budget.label,
      remainingMicros: 0,
      message: this.refusal(budget, short, at, estimate),
    };
  }

  /** The request ended: release its reservation and consume its real cost (null: unpriced). */
  settle(charges: readonly Charge[], costMicros: number | null): void {
    if (charges.length > 0) this.ledger.settle(charges, costMicros ?? 0);
  }

  /** The tightest remaining amount among the charges, for `X-AIBridge-Budget-Remaining`. */
  remaining(charges: readonly Charge[]): string | undefined {
    if (charges.length === 0) return undefined;
    return dollars(Math.min(...charges.map((c) => this.ledger.remaining(c))));
  }

  private refusal(budget: Budget, charge: Charge, at: Date, estimate: number): string {
    const seen = this.ledger.seen(charge);
    const spent = seen?.spent ?? 0;
    const resets = periodBounds(budget.period, at, this.options.timeZone).end.toISOString();
    const held = seen ? Math.max(0, seen.leased) : 0;
    return (
      `aibridge budget ${budget.label} is exhausted: $${dollars(spent)} spent of $${dollars(budget.limitMicros)} ` +
      `this ${budget.period}${held > 0 ? ` ($${dollars(held)} reserved by requests in flight)` : ''}; ` +
      `this request needs up to $${dollars(estimate)}. The budget resets at ${resets}.`
    );
  }

  private async tidy(idleBefore: number): Promise<void> {
    while (this.tidying) await this.tidying;
    this.tidying = this.ledger.tidy(idleBefore).finally(() => {
      this.tidying = undefined;
    });
    await this.tidying;
    await this.warn();
  }

  /** Sets the spend ratio gauges and announces each threshold crossed, once across replicas. */
  private async warn(): Promise<void> {
    const at = new Date(this.now());
    for (const budget of this.rules.budgets) {
      const periodStart = periodBounds(budget.period, at, this.options.timeZone).start;
      const seen = this.ledger.seen({ budgetId: budget.id, periodStart });
      if (!seen || budget.limitMicros <= 0) continue;
      const ratio = seen.spent / budget.limitMicros;
      this.options.metrics.ratio(budget.label, ratio);
      const crossed = THRESHOLDS.filter((t) => ratio * 100 >= t).pop();
      if (crossed === undefined) continue;
      if (!(await this.options.store.claimThreshold(budget.id, periodStart, crossed))) continue;
      this.options.log.warn(
        { budget: budget.label, budgetId: budget.id, percent: crossed, spent: dollars(seen.spent) },
        `budget ${budget.label} reached ${crossed}% of its limit`,
      );
      this.options.webhook?.send({
        type: 'budget.threshold',
        id: `${budget.id}:${periodStart.toISOString()}:${crossed}`,
        budget: {
          id: budget.id,
          subject: budget.label,
          limit_usd: dollars(budget.limitMicros),
          period: budget.period,
        },
        percent: crossed,
        spent_usd: dollars(seen.spent),
        period_start: periodStart.toISOString(),
        resets_at: periodBounds(budget.period, at, this.options.timeZone).end.toISOString(),
      });
    }
  }
}
