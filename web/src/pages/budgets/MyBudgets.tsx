import { Link } from 'react-router';
import { useBudgets, useSpend } from '../../api/queries.js';
import { Cost } from '../../components/Cost.js';
import { BudgetBars } from './BudgetBars.js';

/**
 * A member's own money at a glance on their home page: what they spent (all time) and each
 * budget that applies to them, so a limit is seen before it refuses a request.
 */
export function MyBudgets() {
  const budgets = useBudgets(false);
  const spend = useSpend('user', 'initiator:me');
  const mine = budgets.data?.budgets ?? [];
  const total = spend.data?.totals;
  if (mine.length === 0 && !total) return null;
  return (
    <section className="my-budgets" aria-labelledby="my-budgets-title" data-testid="my-budgets">
      <h2 id="my-budgets-title">
        Your spend{' '}
        {total ? <Cost micros={total.cost_micros} unpriced={total.unpriced_interceptions} /> : null}
      </h2>
      {mine.length > 0 ? <BudgetBars budgets={mine} /> : null}
      <p className="small">
        <Link to="/spend">Spend by model and day</Link> · <Link to="/budgets">Budgets</Link>
      </p>
    </section>
  );
}
