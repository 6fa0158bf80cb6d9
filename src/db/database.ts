import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import { DatabaseHealth } from './health.js';
import { migrations } from './migrations/index.js';
import { type Notifications, PGliteNotifications, PgNotifications, quoteIdent } from './notifications.js';
import { PGliteDialect } from './pglite-driver.js';
import { PGliteWorker } from './pglite-worker/client.js';
import { KyselyPreparedRunner, PgPreparedRunner, type PreparedRunner } from './prepared.js';
import type { Schema } from './schema/index.js';

export { quoteIdent };

/** Where the data lives: a PostgreSQL server URL, or a PGlite directory (none = in memory). */
export interface DatabaseOptions {
  url?: string | undefined;
  dataDir?: string | undefined;
  /** PostgreSQL only: the schema to work in (tests give each suite its own). */
  schema?: string | undefined;
  poolSize?: number | undefined;
  /**
   * PostgreSQL only: bound on each query (client-side read timeout and server-side
   * statement_timeout) and on getting a connection, so a frozen database fails requests fast
   * into the outage path instead of hanging them. Migrations are not bounded. Default 10 s.
   */
  timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** Token counts and COUNT/SUM results fit in a double; both drivers return JS numbers for them. */
const toNumber = (value: string): number => Number(value);

/** A pool's connections: open, idle among them, and callers waiting for one. */
export interface PoolUsage {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * Owns the connection (a pg pool or an embedded PGlite), the typed Kysely instance and the
 * migrations, so the rest of the code never cares which PostgreSQL it runs on.
 */
export class Database {
  private constructor(
    readonly kysely: Kysely<Schema>,
    readonly kind: 'pglite' | 'postgres',
    private readonly schema: string,
    private readonly notifications: Notifications,
    /** The gateway's hot statements, prepared once per connection on PostgreSQL. */
    readonly prepared: PreparedRunner,
    private readonly release: () => void = () => {},
    /** PostgreSQL only: a connection pool without timeouts, for migrations. */
    private readonly unbounded: () => Kysely<Schema> = () => kysely,
    /**
     * PostgreSQL only: the bounded pool itself, for libraries that take a node-postgres client
     * (the global rate limits' store); its connections count in the same connection budget.
     */
    readonly pgPool: pg.Pool | undefined = undefined,
    /** PostgreSQL only: connections of the pool, for /metrics. */
    readonly poolUsage: () => PoolUsage | undefined = () => undefined,
  ) {
    this.health = new DatabaseHealth(() => sql`select 1`.execute(kysely));
  }

  /** Whether the database is reachable, fed by the failures callers report. */
  readonly health: DatabaseHealth;

  static async open(options: DatabaseOptions): Promise<Database> {
    if (options.url) return Database.openPostgres(options.url, options);
    return Database.openPGlite(options.dataDir);
  }

  private static async openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
    const schema = options.schema ?? 'public';
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const base: pg.PoolConfig = {
      connectionString: url,
      max: options.poolSize ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID || oid === NUMERIC_OID
            ? toNumber
            : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
      },
      ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    };
    const config: pg.PoolConfig = {
      ...base,
      connectionTimeoutMillis: Math.min(timeoutMs, 5000),
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
    };
    const pool = new pg.Pool(config);
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next use.
    });
    pool.on('connect', (client) => {
      // A client checked out (by Kysely or the prepared runner) loses the pool's error listener;
      // a connection lost between two of its queries must fail the next query, not the process.
      client.on('error', () => {});
    });
    const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(kysely);
    } catch (error) {
      await kysely.destroy().catch(() => {});
      throw error;
    }
    const unbounded = () =>
      new Kysely<Schema>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ ...base, max: 2 }) }),
      });
    return new Database(
      kysely,
      'postgres',
      schema,
      new PgNotifications({ ...config, query_timeout: undefined, statement_timeout: undefined }),
      new PgPreparedRunner(pool),
      () => {},
      unbounded,
      pool,
      () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    );
  }

  private static async openPGlite(dataDir: string | undefined): Promise<Database> {
    let release = () => {};
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      release = lockDataDir(dataDir);
    }
    try {
      // On a thread of its own, loaded only when used: the WASM module costs tens of MB a
      // PostgreSQL deployment never needs, and its queries never block the gateway's event loop.
      const pglite = await PGliteWorker.start({ dataDir });
      const kysely = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
      const prepared = new KyselyPreparedRunner(kysely);
      return new Database(kysely, 'pglite', 'public', new PGliteNotifications(pglite), prepared, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Brings the schema up to date; safe when several servers start on one database at once.
   * `upTo` stops after that migration (the benchmark loads its data into the schema as it was
   * before the summary triggers, then upgrades, as a real database would). It never goes back:
   * there are no down migrations (by policy, see the README), so on a database already past
   * `upTo` it changes nothing.
   */
  async migrate(upTo?: string): Promise<void> {
    const db = this.kind === 'postgres' ? this.unbounded() : this.kysely;
    try {
      await this.migrateWith(db, upTo);
    } finally {
      if (db !== this.kysely) await db.destroy();
    }
  }

  private async migrateWith(db: Kysely<Schema>, upTo: string | undefined): Promise<void> {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: 'aibridge_migrations',
      migrationLockTableName: 'aibridge_migrations_lock',
      migrationTableSchema: this.schema,
      // Branches add migrations independently; each one runs once whatever the merge order.
      allowUnorderedMigrations: true,
    });
    const { error, results } =
      upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${String(error)}`, { cause: error });
    }
  }

  /** Calls `onMessage` for each NOTIFY on `channel`, from any process sharing this database. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    return this.notifications.listen(channel, onMessage);
  }

  /** Tells every process listening on `channel` (this one included). */
  async notify(channel: string, payload: string): Promise<void> {
    await sql`select pg_notify(${channel}, ${payload})`.execute(this.kysely);
  }

  private closing: Promise<void> | undefined;

  /** Closes connections and releases the data directory; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.health.close();
      await this.notifications.close();
      await this.kysely.destroy();
      this.release();
    })();
    return this.closing;
  }
}
