import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';

/** Counts what could not be priced, so an operator sees which models need a price set. */
export type UnpricedCounter = (provider: string, model: string) => void;

/**
 * `aibridge_unpriced_interceptions_total{provider,model}`: interceptions whose model has no
 * price (their cost is recorded as null). Bumped by the recorder's batch, off the request path.
 */
export function registerPricingMetrics(registry: Registry): UnpricedCounter {
  const counter = new Counter({
    name: `${METRIC_PREFIX}unpriced_interceptions_total`,
    help: 'Interceptions recorded with a model that has no price (cost null), by provider and model.',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  return (provider, model) => counter.inc({ provider, model });
}
