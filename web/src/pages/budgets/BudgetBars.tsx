import type { Budget } from '../../api/types.js';
import { Time } from '../../components/Time.js';
import { formatCost } from '../../lib/format.js';

/** "4.98" → 4_980_000: the API's dollar strings as exact micro-dollars, for the money formatter. */
export function microsOf(usd: string): number {
  const [whole = '0', fraction = ''] = usd.split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** What a budget covers, in words: the subject, then its provider or model scope if any. */
export function scopeLabel(budget: Budget): string {
  const scope = [budget.provider, budget.model].filter(Boolean).join(' ');
  return scope ? `${budget.subject} · ${scope}` : budget.subject;
}

/**
 * Each budget as a bar of settled spend (and leased room, lighter) against its limit, with
 * what is left and when the period resets, so people see how close a limit is before it bites.
 */
export function BudgetBars({
  budgets,
  actions,
}: {
  budgets: Budget[];
  actions?: (b: Budget) => React.ReactNode;
}) {
  return (
    <ul className="budget-list">
      {budgets.map((b) => {
        const limit = microsOf(b.limit_usd);
        const spent = microsOf(b.spent_usd);
        const reserved = microsOf(b.reserved_usd);
        return (
          <li key={b.id} className="card budget" data-testid="budget" data-subject={b.subject}>
            <div className="budget-head">
              <strong>{scopeLabel(b)}</strong>
              <span className="muted"> per {b.period}</span>
              {actions ? <span className="budget-actions">{actions(b)}</span> : null}
            </div>
            <meter
              className="bar"
              aria-label={`${scopeLabel(b)} spend`}
              min={0}
              max={Math.max(limit, 1)}
              low={limit * 0.8}
              high={limit * 0.8}
              optimum={0}
              value={Math.min(spent, limit)}
            />
            <p className="small">
              <span data-testid="budget-spent">{formatCost(spent)}</span> of{' '}
              <span data-testid="budget-limit">{formatCost(limit)}</span> spent ·{' '}
              {formatCost(microsOf(b.remaining_usd))} left
              {reserved > 0 ? ` (${formatCost(reserved)} held for requests in flight)` : ''} · resets{' '}
              <Time iso={b.resets_at} />
            </p>
          </li>
        );
      })}
    </ul>
  );
}
