import type { Kysely } from 'kysely';
import { type Actor, canReadEveryone } from '../auth/roles.js';
import type { Schema } from '../db/schema/index.js';
import { validationFailed } from '../errors.js';
import type { Searcher, SearchResult } from '../search/filters.js';
import { UserStore } from '../store/users.js';

/**
 * The caller as the `q` grammar needs them: `me` is their id, and usernames resolve only to
 * users they may see (anyone for owners and auditors, themselves for members).
 */
export function searcherFor(actor: Actor, db: Kysely<Schema>): Searcher {
  return {
    actorId: actor.userId,
    findVisibleUser: async (username) => {
      const user = await new UserStore(db).findLive(username);
      if (!user) return undefined;
      return canReadEveryone(actor) || user.id === actor.userId ? user.id : undefined;
    },
  };
}

/** The parsed filter, or a 400 with the endpoint's message and every validation. */
export function filterOrThrow<F>(result: SearchResult<F>, message: string): F {
  if (!result.ok) throw validationFailed(result.validations, message);
  return result.filter;
}
