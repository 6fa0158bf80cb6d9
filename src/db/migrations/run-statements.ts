import { type Kysely, sql } from 'kysely';

/**
 * Runs a migration script one statement at a time: PGlite's extended protocol takes a single
 * statement per query, so scripts are split on semicolons that end a line.
 */
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const statement of statements) {
    await sql.raw(statement.replace(/;$/, '')).execute(db);
  }
}
