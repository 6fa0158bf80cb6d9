import { useSyncExternalStore } from 'react';

/**
 * The API token the person pasted, kept in sessionStorage: it lasts as long as the browser
 * tab's session and is never written anywhere more durable.
 */
const KEY = 'aibridge.token';
/** Set beside the HttpOnly session cookie by single sign-on; the script can read only this one. */
const CSRF_COOKIE = 'aibridge_csrf';
/** What `useCredential` reports for a browser signed in with single sign-on (cookie session). */
export const SESSION = 'session';
const listeners = new Set<() => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** The session's CSRF token, echoed in `X-CSRF-Token` on every change the cookie authenticates. */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Forgets the cookie session on this side (the server ends it at sign-out or has ended it). */
export function forgetSession(): void {
  document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  for (const listener of listeners) listener();
}

/** The pasted token, else `session` when single sign-on signed this browser in, else null. */
function getCredential(): string | null {
  return getToken() ?? (csrfToken() ? SESSION : null);
}

/** Re-renders when the credential changes (sign-in, sign-out, expiry). */
export function useToken(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getCredential,
    () => null,
  );
}
