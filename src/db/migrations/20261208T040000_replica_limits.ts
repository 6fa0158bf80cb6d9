import { type Kysely, sql } from 'kysely';

/**
 * What several replicas on one database share beyond the records:
 * - `aibridge_rate_limits`: the counters of the global rate limits, in exactly the layout
 *   `rate-limiter-flexible`'s PostgreSQL store expects (it is told the table exists, so the
 *   library never creates tables at run time);
 * - `aibridge_replicas`: one heartbeat row per running replica, so each knows how many share
 *   a limit when the limit store is unreachable and it must fall back to its share;
 * - `aibridge_auth_version`: a counter that any change to tokens or users bumps (by trigger), so
 *   a replica that missed the NOTIFY still drops its token cache on its next poll.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE aibridge_rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    )`,
  `CREATE TABLE aibridge_replicas (
      id text PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      seen_at timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE TABLE aibridge_auth_version (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version bigint NOT NULL DEFAULT 0
    )`,
  `INSERT INTO aibridge_auth_version (singleton, version) VALUES (true, 0)`,
  `CREATE OR REPLACE FUNCTION aibridge_auth_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE aibridge_auth_version SET version = version + 1;
      RETURN NULL;
    END;
    $$`,
  `CREATE TRIGGER api_keys_auth_changed
    AFTER DELETE OR UPDATE OF hashed_secret, expires_at, user_id ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION aibridge_auth_changed()`,
  `CREATE TRIGGER users_auth_changed
    AFTER DELETE OR UPDATE OF role, deleted_at, username, name, avatar_url ON users
    FOR EACH STATEMENT EXECUTE FUNCTION aibridge_auth_changed()`,
];
