import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api } from '../api/client.js';
import type { CreatedToken, User } from '../api/types.js';
import { FormError } from '../components/FormError.js';

/**
 * Where `aibridge login` sends the browser back to the terminal: only to a port on this
 * computer's loopback address, over plain http (the CLI listens there for this one answer).
 */
export function loopbackCallback(value: string | null): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return url.protocol === 'http:' && loopback && url.port !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `aibridge login <url>` opens this page: once the person (signed in by any means) agrees,
 * a new personal token is created and handed to the CLI's loopback listener.
 */
export function CliLoginPage({ me }: { me: User }) {
  const [search] = useSearchParams();
  const callback = loopbackCallback(search.get('callback'));
  const state = search.get('state') ?? '';
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  if (!callback || !state) {
    return (
      <div className="state state-error" role="alert">
        <h1>Not a CLI sign-in link</h1>
        <p>
          Run <code>aibridge login &lt;url&gt;</code> in a terminal: it opens this page with the address to
          answer.
        </p>
      </div>
    );
  }
  const authorize = async () => {
    try {
      const created = await api<CreatedToken>('users/me/keys', {
        method: 'POST',
        body: { token_name: `aibridge-cli-${Date.now().toString(36)}` },
      });
      callback.searchParams.set('token', created.key);
      callback.searchParams.set('state', state);
      setDone(true);
      window.location.assign(callback.href);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.describe() : 'The server could not be reached.');
    }
  };
  return (
    <main className="card signin-card">
      <h1>Sign in the aibridge CLI</h1>
      <p>
        A terminal on this computer asks for a personal token for <strong>{me.username}</strong>. Authorize it
        only if you just ran <code>aibridge login</code>.
      </p>
      <FormError error={error} />
      {done ? (
        <p role="status">Token sent to the CLI: you can close this tab.</p>
      ) : (
        <button type="button" className="button button-primary" onClick={() => void authorize()}>
          Authorize the CLI
        </button>
      )}
    </main>
  );
}
