import { z } from 'zod';
import { dollars } from '../../budgets/estimate.js';
import { periodBounds } from '../../budgets/period.js';
import type { Budget } from '../../budgets/rules.js';
import { counterKey, type UsageCounters } from '../../budgets/store.js';

/** A budget and its current period, as `/api/v2/aibridge/budgets` returns it. */
export const BudgetView = z
  .object({
    id: z.uuid(),
    subject: z.string().describe('`user:<username>`, `group:<name>` or `default`.'),
    limit_usd: z.string(),
    period: z.enum(['day', 'week', 'month']),
    provider: z.string().nullable(),
    model: z.string().nullable().describe('A model name, or a prefix ending in `*`.'),
    period_start: z.iso.datetime(),
    resets_at: z.iso.datetime(),
    spent_usd: z.string().describe('Settled cost in the current period.'),
    reserved_usd: z
      .string()
      .describe(
        'Room gateway processes have leased for requests in flight; unused lease goes back within seconds.',
      ),
    remaining_usd: z.string(),
  })
  .meta({ id: 'Budget' });

/** The list envelope of the budgets endpoints. */
export const BudgetListView = z.object({ budgets: z.array(BudgetView) }).meta({ id: 'BudgetList' });

/** Maps a budget and its counters (keyed by budget and period) to its API JSON. */
export function budgetView(
  budget: Budget,
  counters: ReadonlyMap<string, UsageCounters>,
  at: Date,
  timeZone: string,
): z.infer<typeof BudgetView> {
  const { start, end } = periodBounds(budget.period, at, timeZone);
  const { spentMicros = 0, leasedMicros = 0 } = counters.get(counterKey(budget.id, start)) ?? {};
  return {
    id: budget.id,
    subject: budget.label,
    limit_usd: dollars(budget.limitMicros),
    period: budget.period,
    provider: budget.provider,
    model: budget.modelPattern,
    period_start: start.toISOString(),
    resets_at: end.toISOString(),
    spent_usd: dollars(spentMicros),
    reserved_usd: dollars(leasedMicros),
    remaining_usd: dollars(Math.max(0, budget.limitMicros - spentMicros - leasedMicros)),
  };
}
