import { useState } from 'react';
import { usePriceBook, useSpend } from '../api/queries.js';
import type { User } from '../api/types.js';
import { Cost } from '../components/Cost.js';
import { formatExact } from '../lib/format.js';
import { PriceForm } from './spend/PriceForm.js';

const GROUPS = [
  ['user', 'Top users'],
  ['model', 'Models'],
  ['client', 'Clients'],
  ['provider', 'Providers'],
  ['day', 'Over time (UTC days)'],
] as const;
type Group = (typeof GROUPS)[number][0];

/**
 * Spend: totals by user, model, client, provider or day, and the models recorded without a
 * price with how to set one (members see only their own spend).
 */
export function SpendPage({ me }: { me: User }) {
  const owner = me.role === 'owner';
  const [group, setGroup] = useState<Group>('user');
  const spend = useSpend(group, '');
  const book = usePriceBook();
  const unpriced = book.data?.unpriced ?? [];
  return (
    <section className="page">
      <header className="page-head">
        <h1>Spend</h1>
        {spend.data ? (
          <p data-testid="spend-total">
            Total{' '}
            <Cost
              micros={spend.data.totals.cost_micros}
              unpriced={spend.data.totals.unpriced_interceptions}
            />{' '}
            over {formatExact(spend.data.totals.interceptions)} interceptions
          </p>
        ) : null}
      </header>
      {unpriced.length > 0 ? (
        <div className="card warning" role="status" data-testid="unpriced-warning">
          <h2>Models without a price</h2>
          <p>
            Their interceptions have no cost and are not in these totals.{' '}
            {owner ? 'Set a price below, or with' : 'An owner sets a price on this page, or with'}{' '}
            <code>aibridge prices set &lt;model&gt; --in &lt;$/MTok&gt; --out &lt;$/MTok&gt;</code> or{' '}
            <code>POST /api/v2/aibridge/prices</code>.
          </p>
          <ul>
            {unpriced.map((u) => (
              <li key={`${u.provider}/${u.model}`}>
                <code>{u.model}</code> ({u.provider}): {formatExact(u.interceptions)} interceptions
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {owner ? <PriceForm key={unpriced[0]?.model ?? ''} model={unpriced[0]?.model ?? ''} /> : null}
      <div className="tabs" role="tablist">
        {GROUPS.map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={group === value}
            className={group === value ? 'button' : 'button button-quiet'}
            onClick={() => setGroup(value)}
          >
            {label}
          </button>
        ))}
      </div>
      <table className="card data-table" data-testid="spend-table">
        <thead>
          <tr>
            <th>{GROUPS.find(([value]) => value === group)?.[1]}</th>
            <th className="num">Interceptions</th>
            <th className="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {(spend.data?.rows ?? []).map((row) => (
            <tr key={`${row.provider ?? ''}/${row.key}`} data-testid="spend-row" data-key={row.key}>
              <td>
                {row.key}
                {row.provider ? <span className="muted"> · {row.provider}</span> : null}
              </td>
              <td className="num">{formatExact(row.interceptions)}</td>
              <td>
                <Cost micros={row.cost_micros} unpriced={row.unpriced_interceptions} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
