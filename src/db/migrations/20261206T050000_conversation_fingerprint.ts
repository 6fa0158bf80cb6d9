import { type Kysely, sql } from 'kysely';

/**
 * Lets a conversation that carries no client session id stay one session: each interception
 * keeps a fingerprint of who asked, with which client, and how the conversation began (system
 * prompt and first user messages), and a later turn resending that history joins the session of
 * the latest interception with the same fingerprint. The index serves exactly that lookup
 * (same initiator, same fingerprint, newest first); rows without a fingerprint stay out of it.
 * A nullable column without a default is a catalog change only, so no table rewrite.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE aibridge_interceptions ADD COLUMN conversation_fingerprint text`.execute(db);
  await sql`CREATE INDEX aibridge_interceptions_fingerprint_idx ON aibridge_interceptions
    (initiator_id, conversation_fingerprint, started_at DESC)
    WHERE conversation_fingerprint IS NOT NULL`.execute(db);
}
