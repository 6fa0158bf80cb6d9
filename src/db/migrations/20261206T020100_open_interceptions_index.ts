import { type Kysely, sql } from 'kysely';

/**
 * Lets the reaper find interceptions still open (no `ended_at`) by age without scanning the
 * table: a partial index holds only the open rows, a handful at any moment.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX aibridge_interceptions_open_idx ON aibridge_interceptions (started_at)
    WHERE ended_at IS NULL`.execute(db);
}
