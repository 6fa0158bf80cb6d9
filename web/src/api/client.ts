import { csrfToken, forgetSession, getToken, setToken } from './token.js';
import type { ErrorBody } from './types.js';

/** A non-2xx answer, with the reference envelope's message, detail and validations. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }

  /** The message and what it adds, as one sentence for people. */
  describe(): string {
    const parts = [this.body.message];
    if (this.body.detail) parts.push(this.body.detail);
    for (const v of this.body.validations ?? []) parts.push(`${v.field}: ${v.detail}`);
    return parts.join(' ');
  }
}

/**
 * Why the last signed-in session ended, for the sign-in page to say. Kept in sessionStorage,
 * not in memory: the 401 that ends a session is often a background query's (a poll, the home
 * page's budgets), and the token or CSRF cookie it removes is gone after a reload, so a reload
 * would otherwise land on the sign-in page without ever hearing the server's reason again.
 */
const SIGN_OUT_REASON = 'aibridge.signout-reason';

/** The stored reason the previous session ended, until the person signs in again. */
export function signOutReason(): string | undefined {
  return sessionStorage.getItem(SIGN_OUT_REASON) ?? undefined;
}

type Params = Record<string, string | number | undefined>;

/** Builds `/api/v2/<path>?…`, leaving out empty parameters. */
export function apiUrl(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const query = search.toString();
  return `/api/v2/${path}${query ? `?${query}` : ''}`;
}

/**
 * The one way the dashboard talks to the server: the stored token in `Coder-Session-Token`
 * (or, signed in with single sign-on, the session cookie plus its CSRF token on changes),
 * JSON both ways, errors as ApiError. A 401 signs the browser out, so an expired or revoked
 * token or session lands on the sign-in page with the server's reason.
 */
export async function api<T>(
  path: string,
  options: { params?: Params; method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const token = options.token ?? getToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['Coder-Session-Token'] = token;
  else {
    const csrf = csrfToken();
    if (csrf && !['GET', 'HEAD'].includes(options.method ?? 'GET')) headers['X-CSRF-Token'] = csrf;
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(apiUrl(path, options.params), {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => ({ message: response.statusText }));
  if (!response.ok) {
    const error = new ApiError(response.status, body as ErrorBody);
    // Only the first 401 of a credential signs out and says why; later ones (requests already
    // in flight) would overwrite the reason with a vaguer one.
    const stillSignedIn = token ? getToken() === token : csrfToken() !== undefined;
    if (response.status === 401 && !options.token && stillSignedIn) {
      sessionStorage.setItem(SIGN_OUT_REASON, error.body.detail ?? error.body.message);
      if (token) setToken(null);
      else forgetSession();
    }
    throw error;
  }
  return body as T;
}

/** Forgets why the previous session ended, once the person is signed in again. */
export function clearSignOutReason(): void {
  sessionStorage.removeItem(SIGN_OUT_REASON);
}
