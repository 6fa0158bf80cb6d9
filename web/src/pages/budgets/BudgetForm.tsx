import { type FormEvent, useEffect, useState } from 'react';
import { useSetBudget } from '../../api/queries.js';
import type { Budget, SetBudgetRequest } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';

type Period = SetBudgetRequest['period'];
const PERIODS: Period[] = ['day', 'week', 'month'];

/**
 * Owners set a budget here. The API keys a budget by subject, period and scope, so editing one
 * is setting the same subject, period and scope with a new limit (the form fills them in).
 */
export function BudgetForm({ editing, onDone }: { editing: Budget | undefined; onDone: () => void }) {
  const [subject, setSubject] = useState('default');
  const [limit, setLimit] = useState('');
  const [period, setPeriod] = useState<Period>('day');
  const [model, setModel] = useState('');
  const set = useSetBudget();
  useEffect(() => {
    if (!editing) return;
    setSubject(editing.subject);
    setLimit(editing.limit_usd);
    setPeriod(editing.period);
    setModel(editing.model ?? '');
  }, [editing]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: SetBudgetRequest = {
      subject: subject.trim(),
      limit_usd: limit.trim(),
      period,
      ...(model.trim() ? { model: model.trim() } : {}),
      ...(editing?.provider ? { provider: editing.provider as 'openai' | 'anthropic' } : {}),
    };
    set.mutate(body, {
      onSuccess: () => {
        setLimit('');
        onDone();
      },
    });
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="budget-form-title">
      <h2 id="budget-form-title">{editing ? `Edit ${editing.subject}` : 'Set a budget'}</h2>
      <label>
        Subject <span className="muted">(user:&lt;username&gt;, group:&lt;name&gt; or default)</span>
        <input
          required
          value={subject}
          readOnly={editing !== undefined}
          onChange={(e) => setSubject(e.target.value)}
          spellCheck={false}
        />
      </label>
      <label>
        Limit in dollars
        <input
          required
          inputMode="decimal"
          value={limit}
          onChange={(e) => setLimit(e.target.value)}
          placeholder="5.00"
        />
      </label>
      <label>
        Period
        <select
          value={period}
          disabled={editing !== undefined}
          onChange={(e) => setPeriod(PERIODS.find((p) => p === e.target.value) ?? 'day')}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>
          Model <span className="muted">(optional; a prefix ends in *)</span>
        </span>
        <input value={model} readOnly={editing !== undefined} onChange={(e) => setModel(e.target.value)} />
      </label>
      <FormError error={set.error} />
      <div className="form-buttons">
        <button type="submit" className="button button-primary" disabled={set.isPending}>
          {editing ? 'Save limit' : 'Set budget'}
        </button>
        {editing ? (
          <button type="button" className="button button-quiet" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
