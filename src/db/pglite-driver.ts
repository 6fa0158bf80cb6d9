import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGliteWorker } from './pglite-worker/client.js';
import { workerLost } from './pglite-worker/protocol.js';

/** A compiled query that names a hot statement: the worker runs it as a prepared statement. */
export type PreparedQuery = CompiledQuery & { readonly preparedName: string };

/** A raw query the embedded database keeps prepared under `name`. */
export function preparedQuery(name: string, text: string, values: readonly unknown[]): PreparedQuery {
  return { ...CompiledQuery.raw(text, [...values]), preparedName: name };
}

/**
 * The one logical connection to the worker's PGlite. `generation` is the worker's at checkout:
 * if the worker died and was started again meanwhile, the rest of a transaction begun on the
 * old one fails instead of running outside any transaction on the new one.
 */
class PGliteConnection implements DatabaseConnection {
  generation = 0;
  constructor(private readonly backend: PGliteWorker) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.backend.generation !== this.generation) throw workerLost('restarted mid-transaction');
    const name = (query as Partial<PreparedQuery>).preparedName;
    const result = name
      ? await this.backend.prepared(name, query.sql, query.parameters)
      : await this.backend.query(query.sql, query.parameters);
    const rows = result.rows as R[];
    return result.affectedRows === undefined
      ? { rows }
      : { rows, numAffectedRows: BigInt(result.affectedRows) };
  }

  // biome-ignore lint/correctness/useYield: PGlite has no cursors; the whole result is one chunk.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

/**
 * Kysely driver for PGlite: PGlite is a single backend (one session), so the driver hands out
 * one connection at a time and queues the rest, which keeps transactions isolated.
 */
class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private busy = false;
  private readonly waiting: Array<(c: DatabaseConnection) => void> = [];

  constructor(private readonly backend: PGliteWorker) {
    this.connection = new PGliteConnection(backend);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.busy) await new Promise((resolve) => this.waiting.push(resolve));
    this.busy = true;
    this.connection.generation = this.backend.generation;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting.shift();
    if (next) next(this.connection);
    else this.busy = false;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    await conn.executeQuery(CompiledQuery.raw(`start transaction${level}${mode}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    await this.backend.close();
  }
}

/** Kysely dialect for the embedded database: PostgreSQL's SQL, adapter and introspection. */
export class PGliteDialect implements Dialect {
  constructor(private readonly backend: PGliteWorker) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new PGliteDriver(this.backend);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
