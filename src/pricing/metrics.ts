import { Counter, type Registry } from 'prom-client';
import { LabelBudget } from '../gateway/label-budget.js';
import { METRIC_PREFIX } from '../metrics.js';

/** Distinct unpriced models named before the rest are counted as `other` (names come from clients). */
const MAX_UNPRICED_MODELS = 100;

/** Counts what could not be priced, so an operator sees which models need a price set. */
export type UnpricedCounter = (provider: string, model: string) => void;

/**
 * `aibridge_unpriced_interceptions_total{provider,model}`: interceptions whose model has no
 * price (their cost is recorded as null). Bumped by the recorder's batch, off the request path.
 * Unpriced names are what a client sent, so only the first `MAX_UNPRICED_MODELS` get a series.
 */
export function registerPricingMetrics(registry: Registry): UnpricedCounter {
  const counter = new Counter({
    name: `${METRIC_PREFIX}unpriced_interceptions_total`,
    help: 'Interceptions recorded with a model that has no price (cost null), by provider and model.',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  const models = new LabelBudget(MAX_UNPRICED_MODELS);
  return (provider, model) => counter.inc({ provider, model: models.bounded(model) });
}
