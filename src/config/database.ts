import { optional, parseDuration, parsePositive, parseServiceUrl, type Raw, type Read } from './parse.js';

/** Where the data lives and how a replica talks to PostgreSQL. */
export interface DatabaseConfig {
  databaseUrl: string | undefined;
  /** PostgreSQL: connections in each replica's pool (pool size × replicas ≤ max_connections). */
  databasePoolSize: number;
  /** PostgreSQL: bound on each query and on getting a connection (a frozen database fails fast). */
  databaseTimeoutMs: number;
  /** PostgreSQL: how long start-up waits for an unreachable database (with backoff) before failing. */
  databaseWaitMs: number;
}

/** The database settings, each with a flag. */
export const DATABASE_SETTINGS = {
  databaseUrl: { env: ['AIBRIDGE_DATABASE_URL', 'DATABASE_URL'], fallback: undefined },
  databasePoolSize: { env: ['AIBRIDGE_DATABASE_POOL_SIZE'], fallback: '10' },
  databaseTimeout: { env: ['AIBRIDGE_DATABASE_TIMEOUT'], fallback: '10s' },
  databaseWait: { env: ['AIBRIDGE_DATABASE_WAIT'], fallback: '2m' },
};

/** Reads the database settings; throws ConfigError naming a bad one. */
export function loadDatabaseConfig(read: Read<typeof DATABASE_SETTINGS>): DatabaseConfig {
  return {
    databaseUrl: optional(read('databaseUrl'), parseDatabaseUrl),
    databasePoolSize: parsePositive(read('databasePoolSize')),
    databaseTimeoutMs: parseDuration(read('databaseTimeout')),
    databaseWaitMs: parseDuration(read('databaseWait')),
  };
}

const parseDatabaseUrl = (raw: Raw) =>
  parseServiceUrl(raw, ['postgres:', 'postgresql:'], 'postgres://user@host:port/database');
