import { useSyncExternalStore } from 'react';

/**
 * The API token the person pasted, kept in sessionStorage: it lasts as long as the browser
 * tab's session and is never written anywhere more durable.
 */
const KEY = 'aibridge.token';
const listeners = new Set<() => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** Re-renders when the token changes (sign-in, sign-out, expiry). */
export function useToken(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getToken,
    () => null,
  );
}
