import type { Command } from 'commander';
import { AUTH_CHANGED_CHANNEL } from '../auth/authenticator.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '../auth/token.js';
import { parseDurationText } from '../config.js';
import type { Database } from '../db/database.js';
import type { UserRow } from '../db/schema/index.js';
import { ApiKeyStore, TokenNameTakenError } from '../store/api-keys.js';
import { UserStore } from '../store/users.js';
import { type DatabaseFlags, withDatabase } from './database.js';
import { CliError, printRows } from './output.js';

async function liveUser(db: Database, ref: string): Promise<UserRow> {
  const user = await new UserStore(db.kysely).findLive(ref);
  if (!user) throw new CliError(`no user "${ref}"`);
  return user;
}

function lifetimeSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  const ms = parseDurationText(text);
  if (typeof ms === 'string') throw new CliError(`invalid --lifetime "${text}": ${ms}`, 2);
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1 || seconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new CliError(`invalid --lifetime "${text}": must be between 1s and 365d`, 2);
  }
  return seconds;
}

/** `aibridge tokens create|list|delete`, working directly on the configured database. */
export function registerTokenCommands(program: Command, addDatabaseFlags: (c: Command) => Command): void {
  const tokens = program.command('tokens').description("Manage users' API tokens directly in the database");

  addDatabaseFlags(
    tokens
      .command('create <user>')
      .description('Issue a token for a user and print it (and nothing else) on stdout')
      .option('--name <name>', 'token name (default: generated)')
      .option('--lifetime <duration>', 'e.g. 30d, 720h; at most 365d', undefined),
  ).action(async (ref: string, opts: DatabaseFlags & { name?: string; lifetime?: string }) => {
    const seconds = lifetimeSeconds(opts.lifetime);
    const token = await withDatabase(opts, async (db) => {
      const user = await liveUser(db, ref);
      const created = await new ApiKeyStore(db.kysely)
        .create({ userId: user.id, tokenName: opts.name, lifetimeSeconds: seconds })
        .catch((error: unknown) => {
          if (error instanceof TokenNameTakenError) throw new CliError(`token name "${opts.name}" is taken`);
          throw error;
        });
      return created.token;
    });
    process.stdout.write(`${token}\n`);
  });

  addDatabaseFlags(
    tokens
      .command('list <user>')
      .description("List a user's tokens (never their secrets)")
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action(async (ref: string, opts: DatabaseFlags & { output: string }) => {
    const rows = await withDatabase(opts, async (db) => {
      const user = await liveUser(db, ref);
      const keys = await new ApiKeyStore(db.kysely).listForUser(user.id);
      return keys.map((k) => ({
        id: k.id,
        name: k.token_name,
        created_at: k.created_at.toISOString(),
        expires_at: k.expires_at.toISOString(),
        last_used: k.last_used?.toISOString() ?? '',
      }));
    });
    printRows(rows, opts.output);
  });

  addDatabaseFlags(
    tokens.command('delete <user> <token-id>').description('Revoke a token; it stops working at once'),
  ).action(async (ref: string, id: string, opts: DatabaseFlags) => {
    await withDatabase(opts, async (db) => {
      const user = await liveUser(db, ref);
      if (!(await new ApiKeyStore(db.kysely).delete(user.id, id))) {
        throw new CliError(`user "${ref}" has no token "${id}"`);
      }
      await db.notify(AUTH_CHANGED_CHANNEL, '');
    });
    process.stderr.write(`deleted token ${id}\n`);
  });
}
