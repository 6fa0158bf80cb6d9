import { z } from 'zod';
import { promptsHiddenFrom } from '../audit/prompt-policy.js';
import { ApiError } from '../errors.js';
import { parseInterceptionSearch } from '../search/filters.js';
import { InterceptionStore } from '../store/interceptions.js';
import { scopeOf } from '../store/scope.js';
import { readSnapshot } from '../store/snapshot.js';
import { firstValue, listPage, paginationParams } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow, searcherFor } from './search.js';
import { InterceptionListView, interceptionView } from './views/aibridge.js';
import { hideInterceptionText } from './views/hidden-prompts.js';

const ListInterceptionsQuery = z.object({
  q: firstValue(
    'Search query in the format `key:value`. Available keys are: initiator, provider, model, client, ' +
      'started_after, started_before. A term without a key is an initiator.',
  ),
  ...paginationParams,
});

/** GET /interceptions: ended interceptions, newest first, with what was recorded under each. */
const listInterceptions = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/interceptions',
  summary: 'List AI Bridge interceptions',
  tags: ['AI Bridge'],
  query: ListInterceptionsQuery,
  response: InterceptionListView,
  handler: async ({ actor, deps, query }) => {
    const page = listPage(query, { name: 'after_id', value: query.after_id });
    const db = deps.db.kysely;
    const filter = filterOrThrow(
      await parseInterceptionSearch(query.q, searcherFor(actor, db)),
      'Invalid interception search query.',
    );
    const scope = scopeOf(actor);
    const { count, rows } = await readSnapshot(db, async (trx) => {
      const store = new InterceptionStore(trx);
      if (query.after_id !== undefined && !(await store.isVisible(query.after_id, scope))) {
        throw new ApiError(
          400,
          'Invalid pagination cursor.',
          `after_id: interception ${query.after_id} not found: invalid pagination cursor`,
        );
      }
      return {
        count: await store.count(filter, scope),
        rows: await store.list({ filter, scope, ...page, afterId: query.after_id }),
      };
    });
    const views = rows.map(interceptionView);
    return {
      count,
      results: promptsHiddenFrom(actor, deps.config.prompts) ? views.map(hideInterceptionText) : views,
    };
  },
});

/** The interceptions endpoint. */
export const interceptionRoutes: AnyRoute[] = [listInterceptions];
