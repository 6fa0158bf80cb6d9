import { type Kysely, sql } from 'kysely';

/**
 * Single sign-on: `browser_sessions` holds the dashboard's server-side sessions (the cookie
 * carries a random secret, only its SHA-256 is stored, with the session's CSRF token and both
 * expiries); `users` learns which identity-provider subject it belongs to (issuer + `sub`),
 * and `group_members` where a membership came from, so a sign-in syncs only the memberships
 * the identity provider gave and never touches those an owner added by hand.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE browser_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      secret_hash bytea NOT NULL,
      csrf_token text NOT NULL,
      method text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`,
  `CREATE UNIQUE INDEX browser_sessions_secret_idx ON browser_sessions (secret_hash)`,
  `CREATE INDEX browser_sessions_user_idx ON browser_sessions (user_id)`,
  `CREATE INDEX browser_sessions_expires_idx ON browser_sessions (expires_at)`,
  `ALTER TABLE users ADD COLUMN oidc_issuer text`,
  `ALTER TABLE users ADD COLUMN oidc_subject text`,
  `CREATE UNIQUE INDEX users_oidc_subject_idx ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL`,
  `ALTER TABLE group_members ADD COLUMN source text NOT NULL DEFAULT 'manual'`,
];
