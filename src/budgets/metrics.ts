import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';

/** What the gate reports: a refusal, and a budget period's spend as a share of its limit. */
export interface BudgetMetrics {
  refused(budget: string): void;
  ratio(budget: string, value: number): void;
}

/**
 * `aibridge_budget_refusals_total{budget}` and `aibridge_budget_spend_ratio{budget}` (settled
 * spend over limit in the current period, as this process last saw it), labelled by the
 * budget's subject (`user:alice`, `group:platform`, `default`) and id.
 */
export function registerBudgetMetrics(registry: Registry): BudgetMetrics {
  const refusals = new Counter({
    name: `${METRIC_PREFIX}budget_refusals_total`,
    help: 'Gateway requests refused because a budget had no room, by budget.',
    labelNames: ['budget'],
    registers: [registry],
  });
  const ratio = new Gauge({
    name: `${METRIC_PREFIX}budget_spend_ratio`,
    help: "A budget's settled spend in its current period divided by its limit.",
    labelNames: ['budget'],
    registers: [registry],
  });
  return {
    refused: (budget) => refusals.inc({ budget }),
    ratio: (budget, value) => ratio.set({ budget }, value),
  };
}
