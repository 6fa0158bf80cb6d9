import { type FormEvent, useState } from 'react';
import { useCreateKey, useKeys, useRevokeKey } from '../../api/queries.js';
import type { User } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';
import { NewToken } from '../../components/NewToken.js';
import { ErrorState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { TokenNameField, tokenName } from '../../components/TokenNameField.js';

const LIFETIMES = [
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['90d', '90 days'],
  ['365d', '1 year'],
] as const;

/** A user's tokens: issue one (its secret shown once, with a copy button), list, revoke. */
export function TokensPanel({ user }: { user: User }) {
  const keys = useKeys(user.id);
  const create = useCreateKey(user.id);
  const revoke = useRevokeKey(user.id);
  const [name, setName] = useState('');
  const [lifetime, setLifetime] = useState('30d');
  const [issued, setIssued] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { lifetime, ...tokenName(name) },
      {
        onSuccess: ({ key }) => {
          setIssued(key);
          setName('');
        },
      },
    );
  };
  return (
    <section className="card tokens-panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens of {user.name || user.username}</h2>
      {issued ? (
        <NewToken token={issued}>
          <button type="button" className="button button-quiet" onClick={() => setIssued(undefined)}>
            Done
          </button>
        </NewToken>
      ) : null}
      <form className="form form-inline" onSubmit={submit}>
        <TokenNameField label="Name" value={name} onChange={setName} />
        <label>
          Expires after
          <select value={lifetime} onChange={(e) => setLifetime(e.target.value)}>
            {LIFETIMES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          Issue token
        </button>
      </form>
      <FormError error={create.error} />
      {keys.isError ? <ErrorState error={keys.error} /> : null}
      {keys.data && keys.data.length === 0 ? <p className="muted">No tokens yet.</p> : null}
      {keys.data && keys.data.length > 0 ? (
        <div className="table-scroll">
          <table className="mini-table">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Name</th>
                <th scope="col">Expires</th>
                <th scope="col" className="optional">
                  Last used
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.id}>
                  <td>
                    <code>{key.id}</code>
                  </td>
                  <td>{key.token_name || <span className="muted">—</span>}</td>
                  <td>
                    <Time iso={key.expires_at} />
                  </td>
                  <td>
                    {key.last_used ? <Time iso={key.last_used} /> : <span className="muted">never</span>}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button-danger"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (
                          window.confirm(`Revoke token ${key.id}? Anything using it stops working at once.`)
                        ) {
                          revoke.mutate(key.id);
                        }
                      }}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
