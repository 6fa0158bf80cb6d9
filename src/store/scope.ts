import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { type Actor, canReadEveryone } from '../auth/roles.js';

/**
 * Whose recorded activity a caller may read: everyone's (owners, auditors) or only their own
 * (members). Queries apply it in SQL, so rows a caller may not see are never fetched.
 */
export interface Scope {
  /** Set for members: only interceptions this user initiated are visible. */
  initiatorId?: string | undefined;
}

/** The read scope of an authenticated caller. */
export function scopeOf(actor: Actor): Scope {
  return canReadEveryone(actor) ? {} : { initiatorId: actor.userId };
}

/** The scope as a predicate on the interceptions aliased `alias` (TRUE for everyone). */
export function visibleTo(scope: Scope, alias: string): RawBuilder<SqlBool> {
  return scope.initiatorId === undefined
    ? sql<SqlBool>`TRUE`
    : sql<SqlBool>`${sql.ref(`${alias}.initiator_id`)} = ${scope.initiatorId}`;
}
