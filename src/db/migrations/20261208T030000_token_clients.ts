import { type Kysely, sql } from 'kysely';

/**
 * When each client last used each token (`aibridge_token_clients`), for the connect page's
 * "Claude Code 2.1.197, 3 min ago": one row per (token, client, client version), upserted in
 * batches by every replica's gateway (never per request). Revoking a token removes its rows.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE aibridge_token_clients (
      api_key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
      client text NOT NULL,
      client_version text NOT NULL,
      last_used_at timestamptz NOT NULL,
      PRIMARY KEY (api_key_id, client, client_version),
      CONSTRAINT aibridge_token_clients_client_version_check CHECK (char_length(client_version) <= 64)
    )`,
];
