import type { ApiKey, TokenClient } from '../../api/types.js';
import { Time } from '../../components/Time.js';
import { formatAgo, formatUtc } from '../../lib/format.js';

/** "Claude Code 2.1.197" (or the User-Agent's product for a client aibridge does not name). */
export function clientLabel(use: TokenClient): string {
  if (use.client === 'Unknown') return use.client_version || 'Unknown client';
  return use.client_version ? `${use.client} ${use.client_version}` : use.client;
}

/** The person's tokens, and per token which clients used it and how long ago. */
export function TokenUseTable({ keys, clients }: { keys: ApiKey[]; clients: TokenClient[] }) {
  if (keys.length === 0) return <p className="muted">No tokens yet: create one above.</p>;
  return (
    <div className="table-scroll">
      <table className="mini-table" aria-label="Your tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Used by</th>
            <th scope="col" className="optional">
              Expires
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const uses = clients.filter((c) => c.key_id === key.id);
            return (
              <tr key={key.id}>
                <td>{key.token_name}</td>
                <td>
                  <code>{key.id}</code>
                </td>
                <td data-testid={`token-use-${key.id}`}>
                  {uses.length === 0 ? (
                    <span className="muted">not used yet</span>
                  ) : (
                    <ul className="plain-list">
                      {uses.map((use) => (
                        <li key={`${use.client}\n${use.client_version}`}>
                          {clientLabel(use)},{' '}
                          <time dateTime={use.last_used_at} title={formatUtc(use.last_used_at)}>
                            {formatAgo(use.last_used_at)}
                          </time>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className="optional">
                  <Time iso={key.expires_at} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
