import type { Kysely } from 'kysely';
import type pg from 'pg';
import { preparedQuery } from './pglite-driver.js';

/** A statement the server may keep prepared; the name must change whenever the text does. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** How a prepared statement commits. */
export interface RunOptions {
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit = off` for this transaction
   * only): for records written after the fact, never for the audit row that must be durable.
   */
  asyncCommit?: boolean;
}

/**
 * Runs the gateway's hot statements. They run thousands of times a second with one fixed
 * shape, so on PostgreSQL each is prepared once per connection (parsed and planned once, not
 * per call); on PGlite they go through Kysely's driver, which keeps its single connection's
 * transactions from interleaving, and are prepared once by name too.
 */
export interface PreparedRunner {
  run<R>(statement: PreparedStatement, values: readonly unknown[], options?: RunOptions): Promise<R[]>;
  /**
   * Runs statements in order in one transaction (the fast recording mode writes a batch's start
   * rows before the rows that refer to them); resolves with the last statement's rows.
   */
  runAll<R>(steps: readonly PreparedStep[], options?: RunOptions): Promise<R[]>;
}

/** One statement of a `runAll` transaction and its parameters. */
export interface PreparedStep {
  statement: PreparedStatement;
  values: readonly unknown[];
}

/** PostgreSQL: named statements on the pool's connections. */
export class PgPreparedRunner implements PreparedRunner {
  constructor(private readonly pool: pg.Pool) {}

  async run<R>(
    statement: PreparedStatement,
    values: readonly unknown[],
    options: RunOptions = {},
  ): Promise<R[]> {
    if (!options.asyncCommit) {
      const query = { name: statement.name, text: statement.text, values: [...values] };
      return (await this.pool.query(query)).rows as R[];
    }
    return this.runAll([{ statement, values }], options);
  }

  async runAll<R>(steps: readonly PreparedStep[], options: RunOptions = {}): Promise<R[]> {
    const client = await this.pool.connect();
    let failure: Error | undefined;
    // A checked-out client has no error listener of the pool's: a connection lost between two of
    // these statements would otherwise be an uncaught 'error' event that ends the process.
    const onError = (error: Error) => {
      failure ??= error;
    };
    client.on('error', onError);
    try {
      await client.query(options.asyncCommit ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
      let rows: R[] = [];
      for (const { statement, values } of steps) {
        const query = { name: statement.name, text: statement.text, values: [...values] };
        rows = (await client.query(query)).rows as R[];
      }
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      failure = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.off('error', onError);
      // A connection that failed mid-transaction is not handed out again.
      client.release(failure && !('code' in failure) ? failure : undefined);
    }
  }
}

/**
 * PGlite: the same statements through Kysely's driver (so they queue behind a transaction in
 * progress on its single session), each prepared once in the worker by name.
 */
export class KyselyPreparedRunner implements PreparedRunner {
  // biome-ignore lint/suspicious/noExplicitAny: the runner is schema-agnostic; statements are raw SQL.
  constructor(private readonly kysely: Kysely<any>) {} // any: see the line above

  async run<R>(statement: PreparedStatement, values: readonly unknown[]): Promise<R[]> {
    return (await this.kysely.executeQuery<R>(preparedQuery(statement.name, statement.text, values))).rows;
  }

  async runAll<R>(steps: readonly PreparedStep[]): Promise<R[]> {
    const [only] = steps;
    if (steps.length === 1 && only) return this.run<R>(only.statement, only.values);
    return this.kysely.transaction().execute(async (trx) => {
      let rows: R[] = [];
      for (const { statement, values } of steps) {
        rows = (await trx.executeQuery<R>(preparedQuery(statement.name, statement.text, values))).rows;
      }
      return rows;
    });
  }
}
