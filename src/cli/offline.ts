import { USERNAME_PATTERN } from '../api/users.js';
import { apiKeyView, userView } from '../api/views/users.js';
import { recordAudit, SYSTEM } from '../audit/trail.js';
import { AUTH_CHANGED_CHANNEL } from '../auth/authenticator.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from '../auth/token.js';
import { type Flags, loadConfig } from '../config.js';
import { Database } from '../db/database.js';
import type { Role, UserRow } from '../db/schema/index.js';
import { ApiKeyStore, TokenNameTakenError } from '../store/api-keys.js';
import { UsernameTakenError, UserStore } from '../store/users.js';
import type { ApiKey, User } from './api-types.js';
import type { DatabaseFlags } from './database.js';
import { CliError } from './errors.js';

/**
 * The users and tokens commands working directly on the database, for the bootstrap before
 * anyone can log in. Loaded only when used: the database drivers are the heaviest part of
 * the CLI. Results have the API's JSON shapes, so every output format reads the same.
 */

/** Opens and migrates the configured database (same env/flags as the server), closing it after. */
export async function withDatabase<T>(flags: DatabaseFlags, work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig(flags as Flags);
  const db = await Database.open({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await db.migrate();
    return await work(db);
  } finally {
    await db.close();
  }
}

/** The username rule of the API, checked before anything is opened. */
export function validUsername(username: string): boolean {
  return USERNAME_PATTERN.test(username) && username.length <= 32;
}

async function liveUser(db: Database, ref: string): Promise<UserRow> {
  const user = await new UserStore(db.kysely).findLive(ref);
  if (!user) throw new CliError(`no user "${ref}"`);
  return user;
}

/** Live users by username, like GET /api/v2/users. */
export function listUsers(
  flags: DatabaseFlags,
  filter: { search?: string; role?: Role; limit: number },
): Promise<User[]> {
  return withDatabase(flags, async (db) => {
    const { users } = await new UserStore(db.kysely).list({ ...filter, offset: 0 });
    return users.map(userView);
  });
}

/** Creates a user and its first token; returns the token. */
export function createUser(
  flags: DatabaseFlags,
  username: string,
  name: string,
  role: Role,
): Promise<string> {
  return withDatabase(flags, (db) =>
    db.kysely.transaction().execute(async (trx) => {
      const user = await new UserStore(trx).create({ username, name, role }).catch((error: unknown) => {
        if (error instanceof UsernameTakenError) throw new CliError(`user "${username}" already exists`);
        throw error;
      });
      const created = await new ApiKeyStore(trx).create({
        userId: user.id,
        lifetimeSeconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
      });
      await recordAudit(trx, SYSTEM, {
        action: 'user.create',
        target: { type: 'user', id: user.id },
        after: { ...userView(user), token_id: created.key.id },
      });
      return created.token;
    }),
  );
}

/** Soft-deletes a user (never the last owner); every replica drops their tokens at once. */
export function deleteUser(flags: DatabaseFlags, ref: string): Promise<void> {
  return withDatabase(flags, async (db) => {
    const store = new UserStore(db.kysely);
    const user = await liveUser(db, ref);
    if (user.role === 'owner' && (await store.countLiveOwners()) <= 1) {
      throw new CliError(`"${user.username}" is the last owner; create another owner first`);
    }
    await store.softDelete(user.id);
    await db.notify(AUTH_CHANGED_CHANNEL, '');
  });
}

/** A user's tokens, metadata only. */
export function listTokens(flags: DatabaseFlags, ref: string): Promise<ApiKey[]> {
  return withDatabase(flags, async (db) =>
    (await new ApiKeyStore(db.kysely).listForUser((await liveUser(db, ref)).id)).map(apiKeyView),
  );
}

/** Issues a token; returns it (shown once). */
export function createToken(
  flags: DatabaseFlags,
  ref: string,
  name: string | undefined,
  lifetimeSeconds: number,
): Promise<string> {
  return withDatabase(flags, async (db) => {
    const user = await liveUser(db, ref);
    const created = await new ApiKeyStore(db.kysely)
      .create({ userId: user.id, tokenName: name, lifetimeSeconds })
      .catch((error: unknown) => {
        if (error instanceof TokenNameTakenError) throw new CliError(`token name "${name}" is taken`);
        throw error;
      });
    return created.token;
  });
}

/** Revokes a token; it stops working on every replica at once. */
export function revokeToken(flags: DatabaseFlags, ref: string, id: string): Promise<void> {
  return withDatabase(flags, async (db) => {
    const user = await liveUser(db, ref);
    if (!(await new ApiKeyStore(db.kysely).delete(user.id, id))) {
      throw new CliError(`user "${ref}" has no token "${id}"`);
    }
    await db.notify(AUTH_CHANGED_CHANNEL, '');
  });
}
