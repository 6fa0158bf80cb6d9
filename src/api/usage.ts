import { z } from 'zod';
import { validationFailed } from '../errors.js';
import { MAX_BUCKETS, TooManyBucketsError, UsageStore } from '../store/usage.js';
import { type AnyRoute, defineRoute } from './route.js';
import { parseUsageSearch, USAGE_SEARCH_ERROR } from './usage-search.js';
import { TOP_USERS, UsageView, usageView } from './views/usage.js';

const UsageQuery = z.object({
  q: z
    .string()
    .optional()
    .describe(
      'Search query in the format `key:value`. Available keys are: initiator, provider, model, client, ' +
        'started_after, started_before (RFC 3339, quoted).',
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
    const filter = await parseUsageSearch(query.q ?? '', actor, deps.db.kysely);
    const store = new UsageStore(deps.db.kysely);
    try {
      const report = await store.report(filter, query.bucket, query.tz);
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
