import type { Command } from 'commander';
import { USERNAME_PATTERN } from '../api/users.js';
import { AUTH_CHANGED_CHANNEL } from '../auth/authenticator.js';
import { ROLES } from '../auth/roles.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../auth/token.js';
import type { Role } from '../db/schema/index.js';
import { ApiKeyStore } from '../store/api-keys.js';
import { UsernameTakenError, UserStore } from '../store/users.js';
import { type DatabaseFlags, withDatabase } from './database.js';
import { CliError, printRows } from './output.js';

/** `aibridge users create|list|delete`, working directly on the configured database. */
export function registerUserCommands(program: Command, addDatabaseFlags: (c: Command) => Command): void {
  const users = program.command('users').description('Manage users directly in the database');

  addDatabaseFlags(
    users
      .command('create <username>')
      .description('Create a user and print its first API token (and nothing else) on stdout')
      .option('--role <role>', `one of ${ROLES.join(', ')}`, 'member')
      .option('--name <name>', 'display name', ''),
  ).action(async (username: string, opts: DatabaseFlags & { role: string; name: string }) => {
    if (!USERNAME_PATTERN.test(username) || username.length > 32) {
      throw new CliError(`invalid username "${username}": letters, digits and single hyphens, at most 32`, 2);
    }
    if (!(ROLES as string[]).includes(opts.role)) {
      throw new CliError(`invalid --role "${opts.role}": expected one of ${ROLES.join(', ')}`, 2);
    }
    const token = await withDatabase(opts, (db) =>
      db.kysely.transaction().execute(async (trx) => {
        const user = await new UserStore(trx)
          .create({ username, name: opts.name, role: opts.role as Role })
          .catch((error: unknown) => {
            if (error instanceof UsernameTakenError) throw new CliError(`user "${username}" already exists`);
            throw error;
          });
        const created = await new ApiKeyStore(trx).create({
          userId: user.id,
          lifetimeSeconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
        });
        return created.token;
      }),
    );
    process.stdout.write(`${token}\n`);
  });

  addDatabaseFlags(
    users
      .command('list')
      .description('List live users')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action(async (opts: DatabaseFlags & { output: string }) => {
    const rows = await withDatabase(opts, async (db) => {
      const { users: list } = await new UserStore(db.kysely).list({ limit: 100_000, offset: 0 });
      return list.map((u) => ({
        id: u.id,
        username: u.username,
        name: u.name,
        role: u.role,
        created_at: u.created_at.toISOString(),
        last_seen_at: u.last_seen_at?.toISOString() ?? '',
      }));
    });
    printRows(rows, opts.output);
  });

  addDatabaseFlags(
    users.command('delete <user>').description('Delete a user (by username or id); its tokens stop working'),
  ).action(async (ref: string, opts: DatabaseFlags) => {
    await withDatabase(opts, async (db) => {
      const store = new UserStore(db.kysely);
      const user = await store.findLive(ref);
      if (!user) throw new CliError(`no user "${ref}"`);
      if (user.role === 'owner' && (await store.countLiveOwners()) <= 1) {
        throw new CliError(`"${user.username}" is the last owner; create another owner first`);
      }
      await store.softDelete(user.id);
      await db.notify(AUTH_CHANGED_CHANNEL, '');
    });
    process.stderr.write(`deleted user ${ref}\n`);
  });
}
