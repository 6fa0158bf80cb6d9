import { useState } from 'react';
import { useBudgets, useDeleteBudget } from '../api/queries.js';
import type { Budget, User } from '../api/types.js';
import { ErrorState, Loading } from '../components/States.js';
import { BudgetBars } from './budgets/BudgetBars.js';
import { BudgetForm } from './budgets/BudgetForm.js';

/**
 * Budgets: each limit with its spend bar and reset time. Owners and auditors see every budget,
 * members the ones that apply to them; owners set, edit and delete them here.
 */
export function BudgetsPage({ me }: { me: User }) {
  const owner = me.role === 'owner';
  const budgets = useBudgets(me.role !== 'member');
  const remove = useDeleteBudget();
  const [editing, setEditing] = useState<Budget | undefined>();
  const actions = owner
    ? (b: Budget) => (
        <>
          <button type="button" className="button button-quiet" onClick={() => setEditing(b)}>
            Edit
          </button>
          <button
            type="button"
            className="button button-quiet"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete the budget of ${b.subject}?`)) remove.mutate(b.id);
            }}
          >
            Delete
          </button>
        </>
      )
    : undefined;
  return (
    <section className="page">
      <header className="page-head">
        <h1>Budgets</h1>
        <p className="muted">
          A request is admitted only while every budget that applies to it has room; spend is settled within
          seconds of each request.
        </p>
      </header>
      {owner ? (
        <BudgetForm key={editing?.id ?? 'new'} editing={editing} onDone={() => setEditing(undefined)} />
      ) : null}
      {budgets.isError ? (
        <ErrorState error={budgets.error} retry={() => budgets.refetch()} />
      ) : !budgets.data ? (
        <Loading active={budgets.isPending} />
      ) : budgets.data.budgets.length === 0 ? (
        <p className="state">No budgets{owner ? ': set one above.' : ' apply to you.'}</p>
      ) : (
        <BudgetBars budgets={budgets.data.budgets} {...(actions ? { actions } : {})} />
      )}
    </section>
  );
}
