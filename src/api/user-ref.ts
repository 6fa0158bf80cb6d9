import type { Kysely } from 'kysely';
import { type Actor, canReadEveryone } from '../auth/roles.js';
import type { Schema, UserRow } from '../db/schema/index.js';
import { notFound } from '../errors.js';
import { UserStore } from '../store/users.js';

/**
 * Resolves `{user}` (a uuid, a username or `me`) to a live user the caller may see; anyone
 * else is a 404 indistinguishable from a user that does not exist.
 */
export async function resolveVisibleUser(db: Kysely<Schema>, actor: Actor, ref: string): Promise<UserRow> {
  const users = new UserStore(db);
  const user = await users.findLive(ref === 'me' ? actor.userId : ref);
  if (!user) throw notFound();
  if (user.id !== actor.userId && !canReadEveryone(actor)) throw notFound();
  return user;
}
