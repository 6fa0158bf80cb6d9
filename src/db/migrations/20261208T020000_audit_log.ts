import { type Kysely, sql } from 'kysely';

/**
 * The audit log: one row per change to who may do what or what things cost (sign-ins,
 * tokens, users and roles, prices, budgets, groups, providers, purges). Written in the same
 * transaction as the change it describes, so a change that fails leaves no row. No foreign
 * keys: the record outlives the user, token or object it names.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE TABLE aibridge_audit_log (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      actor_user_id uuid,
      actor_username text NOT NULL DEFAULT '',
      actor_token_id text NOT NULL,
      ip text NOT NULL DEFAULT '',
      user_agent text NOT NULL DEFAULT '',
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text NOT NULL DEFAULT '',
      before jsonb,
      after jsonb,
      request_id text NOT NULL DEFAULT ''
    )`,
  `CREATE INDEX aibridge_audit_log_time_idx ON aibridge_audit_log (created_at DESC, id DESC)`,
  `CREATE INDEX aibridge_audit_log_actor_idx ON aibridge_audit_log (actor_user_id, created_at DESC)`,
  `CREATE INDEX aibridge_audit_log_target_idx ON aibridge_audit_log (target_type, target_id, created_at DESC)`,
];
