import { type Kysely, sql } from 'kysely';

/** The columns that hold what agents send and receive: prompts can be megabytes. */
const LARGE_TEXT = [
  ['aibridge_user_prompts', 'prompt'],
  ['aibridge_sessions', 'last_prompt'],
  ['aibridge_tool_usages', 'input'],
  ['aibridge_model_thoughts', 'content'],
] as const;

/**
 * Compresses large text values with lz4 instead of PostgreSQL's default pglz where the server
 * has it (PostgreSQL 14+ built with lz4, as Debian's is): a 1 MiB prompt is compressed several
 * times faster for about the same size, and it is compressed on the recorder's write path.
 * Servers without lz4 keep pglz; values already stored keep theirs (either reads back the same).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await setCompression(db, 'lz4');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await setCompression(db, 'pglz');
}

async function setCompression(db: Kysely<unknown>, method: 'lz4' | 'pglz'): Promise<void> {
  const { rows } = await sql<{ available: boolean }>`
    SELECT ${method} = ANY(enumvals) AS available FROM pg_settings
    WHERE name = 'default_toast_compression'`.execute(db);
  if (!rows[0]?.available) return;
  for (const [table, column] of LARGE_TEXT) {
    await sql.raw(`ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION ${method}`).execute(db);
  }
}
