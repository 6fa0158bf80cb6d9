import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ApiError, api, signOutReason } from '../api/client.js';
import { setToken } from '../api/token.js';
import type { AuthMethods, User } from '../api/types.js';
import { FormError } from '../components/FormError.js';

/** Turns the server's 401 detail into advice a person can act on. */
export function explainRefusal(detail: string | undefined): string {
  if (!detail) return 'That token was not accepted.';
  if (/sign-in session/i.test(detail)) return detail;
  if (/expired/i.test(detail))
    return 'This token has expired. Ask an owner for a new one (or run aibridge tokens create).';
  if (/format/i.test(detail))
    return 'That does not look like an aibridge token: it has a 10-character id, a dash and a 22-character secret.';
  if (/deleted/i.test(detail)) return 'The user of this token has been deleted.';
  return 'This token is not valid: it may have been revoked or mistyped.';
}

/** The identity provider's button, when the server has single sign-on configured. */
function SingleSignOn({ next }: { next: string }) {
  const methods = useQuery({
    queryKey: ['auth-methods'],
    queryFn: () => api<AuthMethods>('auth/methods', { token: '' }),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const oidc = methods.data?.oidc;
  if (!oidc) return null;
  return (
    <>
      <a className="button button-primary" href={`${oidc.login_url}?${new URLSearchParams({ next })}`}>
        Sign in with {oidc.provider_name}
      </a>
      <p className="muted small signin-or">or paste an API token</p>
    </>
  );
}

/**
 * Sign in with the identity provider (when configured), or paste a token: it is checked
 * by the server (and audited), and kept for this browser session only.
 */
export function SignIn() {
  const [token, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(() => {
    const reason = signOutReason();
    return reason ? `You were signed out: ${explainRefusal(reason)}` : undefined;
  });
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const from = (location.state as { from?: string } | null)?.from ?? '/sessions';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste your aibridge API token.');
      return;
    }
    setBusy(true);
    try {
      const me = await api<User>('users/me/sign-in', { token: value, method: 'POST' });
      client.setQueryData(['me', value], me);
      setToken(value);
      navigate(from, { replace: true });
    } catch (caught) {
      setError(
        caught instanceof ApiError ? explainRefusal(caught.body.detail) : 'The server could not be reached.',
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit} aria-describedby="signin-help">
        <h1>aibridge</h1>
        <p id="signin-help" className="muted">
          Sign in with your API token. The first owner&apos;s token is printed when the server first starts;
          owners can issue more on the Users &amp; tokens page or with <code>aibridge tokens create</code>.
        </p>
        <SingleSignOn next={from} />
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setValue(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-errormessage={error ? 'signin-error' : undefined}
        />
        <FormError id="signin-error" error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          The token stays in this browser tab&apos;s session and is forgotten when you close it.
        </p>
      </form>
    </main>
  );
}
