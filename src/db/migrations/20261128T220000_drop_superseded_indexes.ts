import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Five indexes of the first schema that no read uses any more: the single-column provider,
 * model, client and initiator indexes (lists, counts and pickers read the partial
 * `ended_*` indexes, the session summaries and the activity counters instead) and the partial
 * session index, a prefix of `aibridge_interceptions_ended_session_idx`. Each costs every
 * interception two index insertions (its start row and its `ended_at` update, which cannot be
 * HOT): dropping them takes about a third of the index work off the recorder's hot path.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX aibridge_interceptions_initiator_id_idx;
    DROP INDEX aibridge_interceptions_provider_idx;
    DROP INDEX aibridge_interceptions_model_idx;
    DROP INDEX aibridge_interceptions_client_idx;
    DROP INDEX aibridge_interceptions_session_idx;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE INDEX aibridge_interceptions_initiator_id_idx ON aibridge_interceptions (initiator_id);
    CREATE INDEX aibridge_interceptions_provider_idx ON aibridge_interceptions (provider);
    CREATE INDEX aibridge_interceptions_model_idx ON aibridge_interceptions (model);
    CREATE INDEX aibridge_interceptions_client_idx ON aibridge_interceptions (client);
    CREATE INDEX aibridge_interceptions_session_idx ON aibridge_interceptions (session_id)
      WHERE ended_at IS NOT NULL;
  `,
  );
}
