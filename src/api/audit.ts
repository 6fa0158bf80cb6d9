import { z } from 'zod';
import { parseAuditSearch } from '../audit/search.js';
import { recordSignIn } from '../audit/sign-in.js';
import { AuditStore } from '../audit/store.js';
import { whoOf } from '../audit/trail.js';
import { canReadEveryone } from '../auth/roles.js';
import { ApiError, forbidden } from '../errors.js';
import { readSnapshot } from '../store/snapshot.js';
import { firstValue, listPage, paginationParams } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow } from './search.js';
import { resolveVisibleUser } from './user-ref.js';
import { AuditListView, auditEntryView } from './views/audit.js';
import { UserView, userView } from './views/users.js';

const ListAuditQuery = z.object({
  q: firstValue(
    'Search query in the format `key:value`. Available keys are: actor (a username, user id, `me` or ' +
      '`system`), action (a trailing `*` matches a prefix, e.g. `token.*`), target (a type such as ' +
      '`user`), target_id, since, until (RFC 3339, quoted). A term without a key is an action.',
  ),
  ...paginationParams,
});

/** GET /api/v2/audit: who changed what, newest first (owners and auditors). */
const listAudit = defineRoute({
  method: 'GET',
  path: '/api/v2/audit',
  summary: 'List the audit log: sign-ins and changes to tokens, users, prices, budgets, groups and providers',
  tags: ['Audit'],
  query: ListAuditQuery,
  response: AuditListView,
  handler: async ({ actor, deps, query }) => {
    if (!canReadEveryone(actor)) throw forbidden('Only owners and auditors can read the audit log.');
    const page = listPage(query, { name: 'after_id', value: query.after_id });
    const filter = filterOrThrow(parseAuditSearch(query.q, actor.userId), 'Invalid audit search query.');
    const { count, rows } = await readSnapshot(deps.db.kysely, async (trx) => {
      const store = new AuditStore(trx);
      if (query.after_id !== undefined && !(await store.exists(query.after_id))) {
        throw new ApiError(
          400,
          'Invalid pagination cursor.',
          `after_id: audit entry ${query.after_id} not found: invalid pagination cursor`,
        );
      }
      return {
        count: await store.count(filter),
        rows: await store.list(filter, { ...page, afterId: query.after_id }),
      };
    });
    return { count, entries: rows.map(auditEntryView) };
  },
});

/**
 * POST /api/v2/users/me/sign-in: the dashboard's token sign-in (and `aibridge login`) call it
 * once when a person signs in, so the sign-in is audited; it answers who they are.
 */
const signIn = defineRoute({
  method: 'POST',
  path: '/api/v2/users/me/sign-in',
  summary: 'Sign in with an API token: records the sign-in in the audit log and answers the user',
  tags: ['Users'],
  response: UserView,
  handler: async ({ actor, deps, request }) => {
    const user = await resolveVisibleUser(deps.db.kysely, actor, 'me');
    await recordSignIn(deps.db.kysely, whoOf(actor, request), 'token');
    return userView(user);
  },
});

/** The audit endpoints. */
export const auditRoutes: AnyRoute[] = [listAudit, signIn];
