import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { Database, quoteIdent } from '../src/db/database.js';

/** The two PostgreSQLs every store test runs on. */
export type DatabaseKind = 'pglite' | 'postgres';

/** Server used for the PostgreSQL half; each suite gets its own schema in it. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** `CI` (set by CI systems and `.ci/run`) or `AIBRIDGE_REQUIRE_POSTGRES=1`; `0`/`false` mean unset. */
const postgresRequired = [process.env.CI, process.env.AIBRIDGE_REQUIRE_POSTGRES].some(
  (value) => value !== undefined && !['', '0', 'false'].includes(value.toLowerCase()),
);

const unreachable = await probePostgres();
if (unreachable !== undefined && postgresRequired) {
  throw new Error(
    `PostgreSQL is required here (CI or AIBRIDGE_REQUIRE_POSTGRES=1) but ${POSTGRES_URL} cannot be reached: ${unreachable}`,
  );
}

/**
 * Why the PostgreSQL half cannot run here, or undefined when it can. Where PostgreSQL is
 * required (CI) an unreachable server fails every suite that imports this module instead.
 */
export const postgresUnavailable: string | undefined = unreachable;

/** A migrated database of its own, and how to throw it away. */
export interface FreshDatabase {
  db: Database;
  /** PostgreSQL only: the schema the suite owns (and that dispose drops). */
  schema: string | undefined;
  dispose(): Promise<void>;
}

/** Creates an empty, migrated database: a new in-memory PGlite, or a new schema on the server. */
export async function freshDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean } = {},
): Promise<FreshDatabase> {
  if (kind === 'pglite') {
    const db = await Database.open({});
    if (options.migrate !== false) await db.migrate();
    return { db, schema: undefined, dispose: () => db.close() };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${quoteIdent(schema)}`);
  const db = await Database.open({ url: POSTGRES_URL, schema, poolSize: 4 });
  if (options.migrate !== false) await db.migrate();
  return {
    db,
    schema,
    dispose: async () => {
      await db.close().catch(() => {});
      await adminQuery(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    },
  };
}

/** Runs one statement on the test server outside any suite's schema. */
export async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Declares the suite twice, once per database kind, each with a fresh migrated database.
 * Without a reachable server the PostgreSQL half is skipped, and its title says why (outside
 * CI only: there the import above already failed).
 */
export function describeEachDatabase(
  title: string,
  body: (db: () => Database, kind: DatabaseKind) => void,
): void {
  for (const kind of ['pglite', 'postgres'] as const) {
    const skipped = kind === 'postgres' && postgresUnavailable !== undefined;
    const label = skipped
      ? `${title} [postgres: SKIPPED, no server at ${POSTGRES_URL}: ${postgresUnavailable}]`
      : `${title} [${kind}]`;
    describe.skipIf(skipped)(label, () => {
      let fresh: FreshDatabase | undefined;
      beforeAll(async () => {
        fresh = await freshDatabase(kind);
      });
      afterAll(async () => {
        await fresh?.dispose();
      });
      body(() => {
        if (!fresh) throw new Error('database not ready');
        return fresh.db;
      }, kind);
    });
  }
}
