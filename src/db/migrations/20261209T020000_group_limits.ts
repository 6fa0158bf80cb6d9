import { type Kysely, sql } from 'kysely';

/**
 * Per-group rate limits, and how every replica learns of a change within seconds:
 * - `groups.requests_per_minute` and `groups.tokens_per_minute`: a pool its members share
 *   (null: no such limit);
 * - `aibridge_group_limits_version`: a counter that any change to groups or memberships bumps
 *   (by trigger, whoever writes: the API, an OIDC sign-in, a cascade), and the same trigger
 *   sends `NOTIFY aibridge_group_limits_changed`; a replica that missed the notification sees
 *   the counter move on its next poll.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `ALTER TABLE groups ADD COLUMN requests_per_minute integer CHECK (requests_per_minute > 0)`,
  `ALTER TABLE groups ADD COLUMN tokens_per_minute integer CHECK (tokens_per_minute > 0)`,
  `CREATE TABLE aibridge_group_limits_version (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version bigint NOT NULL DEFAULT 0
    )`,
  `INSERT INTO aibridge_group_limits_version (singleton, version) VALUES (true, 0)`,
  `CREATE OR REPLACE FUNCTION aibridge_group_limits_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE aibridge_group_limits_version SET version = version + 1;
      PERFORM pg_notify('aibridge_group_limits_changed', '');
      RETURN NULL;
    END;
    $$`,
  `CREATE TRIGGER groups_limits_changed
    AFTER INSERT OR DELETE OR UPDATE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION aibridge_group_limits_changed()`,
  `CREATE TRIGGER group_members_limits_changed
    AFTER INSERT OR DELETE OR UPDATE ON group_members
    FOR EACH STATEMENT EXECUTE FUNCTION aibridge_group_limits_changed()`,
];
