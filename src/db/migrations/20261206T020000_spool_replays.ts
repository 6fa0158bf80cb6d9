import { type Kysely, sql } from 'kysely';

/**
 * Remembers which spool files (records a server could not write before it stopped with the
 * database down) have been replayed: the marker commits with the replayed rows, so a replay cut
 * short by a crash is redone and a finished one is never applied twice.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE aibridge_spool_replays (
      id text PRIMARY KEY,
      records integer NOT NULL,
      replayed_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}
