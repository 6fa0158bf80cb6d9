import { type Kysely, sql } from 'kysely';

/**
 * Compresses large text values with lz4 instead of PostgreSQL's default pglz where the server
 * has it (PostgreSQL 14+ built with lz4, as Debian's is): a 1 MiB prompt is compressed several
 * times faster for about the same size, and it is compressed on the recorder's write path.
 * Servers without lz4 (PGlite) keep pglz; values already stored keep theirs (either reads back
 * the same). The columns are those that hold what agents send and receive: prompts can be
 * megabytes.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ available: boolean }>`
    SELECT 'lz4' = ANY(enumvals) AS available FROM pg_settings
    WHERE name = 'default_toast_compression'`.execute(db);
  if (!rows[0]?.available) return;
  for (const statement of LZ4_STATEMENTS) await sql.raw(statement).execute(db);
}

const LZ4_STATEMENTS: readonly string[] = [
  `ALTER TABLE aibridge_user_prompts ALTER COLUMN prompt SET COMPRESSION lz4`,
  `ALTER TABLE aibridge_sessions ALTER COLUMN last_prompt SET COMPRESSION lz4`,
  `ALTER TABLE aibridge_tool_usages ALTER COLUMN input SET COMPRESSION lz4`,
  `ALTER TABLE aibridge_model_thoughts ALTER COLUMN content SET COMPRESSION lz4`,
];
