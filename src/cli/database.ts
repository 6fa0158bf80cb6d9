import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { type ApiFlags, serverNamed } from './api-client.js';
import { UsageError } from './errors.js';

/** The database side of the bootstrap commands, loaded on first use (it is the heavy part). */
export const offline = () => import('./offline.js');

/** Flags of the commands that can also work directly on the database (users, tokens). */
export interface DatabaseFlags {
  database?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}

/** Adds `--database` and where the database is (the same settings as `aibridge server`). */
export function addDatabaseFlags(command: Command): Command {
  return command
    .option('--database', 'work directly on the database instead of through a server (bootstrap)')
    .option('--database-url <url>', 'with --database: PostgreSQL URL (DATABASE_URL); unset = embedded PGlite')
    .option(
      '--data-dir <dir>',
      'with --database: embedded database directory (AIBRIDGE_DATA_DIR, default ./.aibridge)',
    );
}

/**
 * Whether a users/tokens command works on the database rather than through the REST API:
 * when told so (`--database`, `--database-url`, `--data-dir`), or when no server is named at
 * all (no `--url`, no AIBRIDGE_URL, no stored login) — the bootstrap case, before anyone can
 * log in. Then the database must be named too (DATABASE_URL, AIBRIDGE_DATA_DIR) or exist in
 * ./.aibridge: a mistyped command never creates an empty database by surprise.
 */
export async function worksOnDatabase(
  flags: DatabaseFlags & ApiFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  if (flags.database || flags.databaseUrl || flags.dataDir) return true;
  if (await serverNamed(flags, env)) return false;
  const named = env.DATABASE_URL || env.AIBRIDGE_DATABASE_URL || env.AIBRIDGE_DATA_DIR;
  if (!named && !existsSync(loadConfig({}, {}).dataDir)) {
    throw new UsageError(
      'not logged in: run `aibridge login <url>` to use a server, or pass --database to work on a database directly',
    );
  }
  return true;
}
