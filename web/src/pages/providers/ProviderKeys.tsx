import { type FormEvent, useState } from 'react';
import { useProviderKeyChange, useProviderKeys } from '../../api/queries.js';
import type { ProviderKey } from '../../api/types.js';
import { FormError } from '../../components/FormError.js';
import { ErrorState, Loading } from '../../components/States.js';
import { Time } from '../../components/Time.js';

/** A key's state in words, with when: the owner rotates a key the gateway took out from here. */
function KeyState({ k }: { k: ProviderKey }) {
  if (k.state === 'cooling-down' && k.cooling_until) {
    return (
      <>
        cooling down until <Time iso={k.cooling_until} />
      </>
    );
  }
  if (k.state === 'out-of-rotation' && k.out_of_rotation_since) {
    return (
      <strong>
        out of rotation (upstream answered {k.out_of_rotation_status}) since{' '}
        <Time iso={k.out_of_rotation_since} />
      </strong>
    );
  }
  if (k.state === 'unknown') return <span className="muted">unknown on this replica</span>;
  return <>active</>;
}

/**
 * One instance's keys, one at a time: hint, state and last use as the answering replica sees
 * them, a button to remove each and a password field to add one. The key typed is cleared once
 * sent and never shown back; only its hint returns.
 */
export function ProviderKeys({ name, onClose }: { name: string; onClose: () => void }) {
  const keys = useProviderKeys(name);
  const { add, remove } = useProviderKeyChange(name);
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim()) return;
    add.mutate(key.trim(), { onSuccess: () => setKey('') });
  };
  return (
    <section className="card" aria-label={`Keys of ${name}`}>
      <h2>
        Keys of <code>{name}</code>{' '}
        <button type="button" className="button button-quiet" onClick={onClose}>
          Close
        </button>
      </h2>
      <FormError error={add.error ?? remove.error} />
      {keys.isError ? (
        <ErrorState error={keys.error} retry={() => keys.refetch()} />
      ) : !keys.data ? (
        <Loading active={keys.isPending} />
      ) : keys.data.length === 0 ? (
        <p className="muted">No keys: only people's own credentials go upstream.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Keys of {name}</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">State</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td>
                    <code>{k.hint}</code>
                  </td>
                  <td>
                    <KeyState k={k} />
                  </td>
                  <td>
                    {k.last_used_at ? <Time iso={k.last_used_at} /> : <span className="muted">never</span>}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button-quiet"
                      aria-label={`Remove key ${k.hint}`}
                      disabled={remove.isPending}
                      onClick={() => {
                        if (window.confirm(`Remove the key ${k.hint} from ${name}?`)) remove.mutate(k.id);
                      }}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={submit} aria-label={`Add a key to ${name}`}>
        <label>
          New key{' '}
          <input
            type="password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <button type="submit" className="button" disabled={add.isPending || !key.trim()}>
          Add key
        </button>
      </form>
    </section>
  );
}
