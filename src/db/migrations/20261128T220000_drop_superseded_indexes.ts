import { type Kysely, sql } from 'kysely';

/**
 * Five indexes of the first schema that no read uses any more: the single-column provider,
 * model, client and initiator indexes (lists, counts and pickers read the partial
 * `ended_*` indexes, the session summaries and the activity counters instead) and the partial
 * session index, a prefix of `aibridge_interceptions_ended_session_idx`. Each costs every
 * interception two index insertions (its start row and its `ended_at` update, which cannot be
 * HOT): dropping them takes about a third of the index work off the recorder's hot path.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `DROP INDEX aibridge_interceptions_initiator_id_idx`,
  `DROP INDEX aibridge_interceptions_provider_idx`,
  `DROP INDEX aibridge_interceptions_model_idx`,
  `DROP INDEX aibridge_interceptions_client_idx`,
  `DROP INDEX aibridge_interceptions_session_idx`,
];
