import { type Kysely, sql } from 'kysely';

/**
 * Indexes for the management API's read paths. Only ended interceptions are ever listed, so
 * each is partial on `ended_at IS NOT NULL` and ordered like the lists (newest first):
 * - the unfiltered list, its count and the sessions' "latest interception first" walk;
 * - one per exact-match filter (model, provider, client), so a filtered page or count reads
 *   only matching rows instead of scanning the table;
 * - a session's own rows by (session_id, initiator_id): "is this the newest of its session",
 *   the display lookups of a sessions page, the session detail and the session count.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE INDEX aibridge_interceptions_ended_started_idx
      ON aibridge_interceptions (started_at DESC, id DESC) WHERE ended_at IS NOT NULL`,
  `CREATE INDEX aibridge_interceptions_ended_session_idx
      ON aibridge_interceptions (session_id, initiator_id, started_at DESC, id DESC) WHERE ended_at IS NOT NULL`,
  `CREATE INDEX aibridge_interceptions_ended_model_idx
      ON aibridge_interceptions (model, started_at DESC, id DESC) WHERE ended_at IS NOT NULL`,
  `CREATE INDEX aibridge_interceptions_ended_provider_idx
      ON aibridge_interceptions (provider, started_at DESC, id DESC) WHERE ended_at IS NOT NULL`,
  `CREATE INDEX aibridge_interceptions_ended_client_idx
      ON aibridge_interceptions (client, started_at DESC, id DESC) WHERE ended_at IS NOT NULL`,
];
