import type { Generated, Selectable } from 'kysely';

/** How a browser session was started; only OIDC starts one today, tokens stay in the tab. */
export type SessionMethod = 'oidc';

/**
 * A signed-in browser: the cookie holds a random secret whose SHA-256 is the row's key, so a
 * database dump signs no one in. Ends at `expires_at` (absolute) or after an idle stretch past
 * `last_seen_at`, whichever comes first; deleting the row signs the browser out everywhere.
 */
export interface BrowserSessionsTable {
  id: Generated<string>;
  user_id: string;
  secret_hash: Buffer;
  /** Sent back in `X-CSRF-Token` on every cookie-authenticated change (synchronizer token). */
  csrf_token: string;
  method: SessionMethod;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
}

export type BrowserSessionRow = Selectable<BrowserSessionsTable>;
