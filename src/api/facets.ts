import { z } from 'zod';
import { parseClientSearch, parseModelSearch } from '../search/filters.js';
import { FacetStore } from '../store/facets.js';
import { scopeOf } from '../store/scope.js';
import { firstValue, listPage, paginationParams } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow } from './search.js';
import { ValueListView } from './views/aibridge.js';

/**
 * GET /models and GET /clients: the distinct values among the interceptions the caller may
 * see (a missing client as `Unknown`), ascending, optionally by prefix.
 */
function facetRoute(kind: 'model' | 'client') {
  const plural = kind === 'model' ? 'models' : 'clients';
  const parse = kind === 'model' ? parseModelSearch : parseClientSearch;
  return defineRoute({
    method: 'GET',
    path: `/api/v2/aibridge/${plural}`,
    summary: `List AI Bridge ${plural}`,
    tags: ['AI Bridge'],
    query: z.object({
      q: firstValue(`A prefix of the ${kind} (case-sensitive), bare or as \`${kind}:<prefix>\`.`),
      ...paginationParams,
    }),
    response: ValueListView,
    handler: async ({ actor, deps, query }) => {
      const page = listPage(query);
      const filter = filterOrThrow(parse(query.q), `Invalid AI Bridge ${plural} search query.`);
      return new FacetStore(deps.db.kysely)[plural](filter, scopeOf(actor), page);
    },
  });
}

/** The models and clients endpoints. */
export const facetRoutes: AnyRoute[] = [facetRoute('model'), facetRoute('client')];
