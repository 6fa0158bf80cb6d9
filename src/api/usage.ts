import { z } from 'zod';
import { validationFailed } from '../errors.js';
import { parseInterceptionSearch } from '../search/filters.js';
import { scopeOf } from '../store/scope.js';
import { MAX_BUCKETS, TooManyBucketsError, UsageStore } from '../store/usage.js';
import { firstValue } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow, searcherFor } from './search.js';
import { TOP_USERS, UsageView, usageView } from './views/usage.js';

/** The envelope message of a bad `q` on the usage endpoint (PRODUCT §4.7: it names the resource). */
const USAGE_SEARCH_ERROR = 'Invalid usage search query.';

const UsageQuery = z.object({
  q: firstValue(
    'Search query in the format `key:value`, as on the interceptions list. Available keys are: initiator, ' +
      'provider, model, client, started_after, started_before (RFC 3339, quoted). A term without a key is an initiator.',
  ),
  bucket: z
    .enum(['hour', 'day'], { error: 'bucket must be "hour" or "day"' })
    .default('day')
    .describe('Width of one point of `series`.'),
  tz: z
    .string()
    .refine(isTimeZone, 'tz must be an IANA time zone such as "Europe/Paris" or "UTC"')
    .default('UTC')
    .describe('IANA time zone whose days and hours cut the buckets (the viewer’s own, for a dashboard).'),
});

const usage = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/usage',
  summary: 'Token usage and interception counts over time, by model, by client and by user',
  tags: ['AI Bridge'],
  query: UsageQuery,
  response: UsageView,
  responseDescription:
    `Ended interceptions matching \`q\` (members: only their own), aggregated; \`by_user\` keeps the top ${TOP_USERS}. ` +
    `Without started_after the series starts at the first matching interception; at most ${MAX_BUCKETS} buckets.`,
  handler: async ({ actor, deps, query }) => {
    const db = deps.db.kysely;
    const filter = filterOrThrow(
      await parseInterceptionSearch(query.q, searcherFor(actor, db)),
      USAGE_SEARCH_ERROR,
    );
    const store = new UsageStore(db);
    try {
      const report = await store.report(filter, scopeOf(actor), query.bucket, query.tz);
      const users = await store.initiators(
        report.byInitiator.slice(0, TOP_USERS).map((row) => row.initiatorId),
      );
      return usageView(report, query.bucket, query.tz, users);
    } catch (error) {
      if (!(error instanceof TooManyBucketsError)) throw error;
      throw validationFailed(
        [
          {
            field: 'bucket',
            detail: `the range spans ${error.buckets} ${query.bucket}s, more than ${MAX_BUCKETS}: narrow started_after/started_before or use bucket=day`,
          },
        ],
        USAGE_SEARCH_ERROR,
      );
    }
  },
});

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The aggregate behind the dashboard's Usage page. */
export const usageRoutes: AnyRoute[] = [usage];
