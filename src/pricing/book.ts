import { priceableModelName } from './model-name.js';
import type { PackagePrices } from './package-book.js';
import type { Price, Rates } from './rates.js';

/** An owner's rate for a model from a moment on: a negotiated discount or a self-hosted model. */
export interface PriceOverride {
  id: string;
  /** Limits the override to one provider; null applies it whichever provider served the model. */
  provider: string | null;
  /** Matched against the requested name (prefixes stripped) and against the package's model id. */
  model: string;
  effectiveFrom: Date;
  rates: Rates;
}

/**
 * The price book in force: owner overrides over the package's prices. The override with the
 * latest effective-from at or before the interception's start wins; otherwise the package's
 * price; otherwise the model is unpriced (undefined — its cost is null, never 0).
 */
export class PriceBook {
  private byModel = new Map<string, PriceOverride[]>();
  /** Bumped by every `setOverrides`, so what is derived from the overrides knows to rebuild. */
  version = 0;

  constructor(
    private readonly packagePrices: PackagePrices,
    overrides: readonly PriceOverride[] = [],
  ) {
    this.setOverrides(overrides);
  }

  /** Replaces the overrides (the cache refresh calls this with the table's rows). */
  setOverrides(overrides: readonly PriceOverride[]): void {
    const byModel = new Map<string, PriceOverride[]>();
    for (const o of overrides) {
      const key = priceableModelName(o.model);
      byModel.set(key, [...(byModel.get(key) ?? []), o]);
    }
    for (const list of byModel.values())
      list.sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
    this.byModel = byModel;
    this.version++;
  }

  /** The models the overrides price, as entered and normalised, for the metric labels' known models. */
  overrideModels(): string[] {
    return [...this.byModel].flatMap(([name, list]) => [name, ...list.map((o) => o.model)]);
  }

  /** The price an interception of `model` on `provider` that started at `at` is charged at. */
  priceOf(provider: string, model: string, at: Date): Price | undefined {
    const fromPackage = this.packagePrices.priceOf(provider, model, at);
    const override =
      this.overrideFor(priceableModelName(model), provider, at) ??
      (fromPackage ? this.overrideFor(fromPackage.model, provider, at) : undefined);
    if (override)
      return { source: 'override', model: override.model, origin: override.id, rates: override.rates };
    return fromPackage;
  }

  private overrideFor(name: string, provider: string, at: Date): PriceOverride | undefined {
    const list = this.byModel.get(name);
    if (!list) return undefined;
    const time = at.getTime();
    return list.find(
      (o) => (o.provider === null || o.provider === provider) && o.effectiveFrom.getTime() <= time,
    );
  }
}
