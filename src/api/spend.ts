import { z } from 'zod';
import { validationFailed } from '../errors.js';
import { parseInterceptionSearch } from '../search/filters.js';
import { scopeOf } from '../store/scope.js';
import {
  MAX_BUCKETS,
  TooManyBucketsError,
  type UsageReport,
  UsageStore,
  type UsageTotals,
} from '../store/usage.js';
import { firstValue } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow, searcherFor } from './search.js';
import { costSumFields } from './views/aibridge.js';

const SPEND_SEARCH_ERROR = 'Invalid spend search query.';

const GROUPS = ['user', 'model', 'provider', 'client', 'day'] as const;
type Group = (typeof GROUPS)[number];

const SpendQuery = z.object({
  group_by: z
    .enum(GROUPS, { error: `group_by must be one of ${GROUPS.join(', ')}` })
    .default('user')
    .describe('What each row of the report is: a user, a model, a provider, a client or a UTC day.'),
  q: firstValue(
    'Search query as on the usage endpoint: initiator, provider, model, client, started_after, started_before.',
  ),
});

const SpendRow = z.object({
  key: z
    .string()
    .describe('The user’s username, the model, the provider, the client or the day (YYYY-MM-DD, UTC).'),
  provider: z.string().optional().describe('With group_by=model: the model’s provider.'),
  user_id: z.uuid().optional().describe('With group_by=user.'),
  interceptions: z.int(),
  ...costSumFields,
});

/** The spend report's JSON (the CLI reads it too). */
export const SpendView = z
  .object({
    group_by: z.enum(GROUPS),
    totals: z.object({ interceptions: z.int(), ...costSumFields }),
    rows: z.array(SpendRow).describe('Most expensive first (days: oldest first).'),
  })
  .meta({ id: 'AIBridgeSpend' });

type SpendJson = z.infer<typeof SpendView>;
type Row = SpendJson['rows'][number];

const sums = (t: UsageTotals) => ({
  interceptions: t.interceptions,
  cost_micros: t.costMicros,
  unpriced_interceptions: t.unpricedInterceptions,
});

/**
 * GET /api/v2/aibridge/spend: cost totals by user, model, provider, client or day, read from
 * the same rollup as /usage (whole hours from `aibridge_usage_hourly`, edge hours from raw
 * rows); members see only their own.
 */
const spend = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/spend',
  summary: 'Spend (cost in micro-dollars) by user, model, provider, client or day',
  tags: ['Cost'],
  query: SpendQuery,
  response: SpendView,
  handler: async ({ actor, deps, query }) => {
    const db = deps.db.kysely;
    const filter = filterOrThrow(
      await parseInterceptionSearch(query.q, searcherFor(actor, db)),
      SPEND_SEARCH_ERROR,
    );
    const store = new UsageStore(db);
    let report: UsageReport;
    try {
      report = await store.report(filter, scopeOf(actor), 'day', 'UTC');
    } catch (error) {
      if (!(error instanceof TooManyBucketsError)) throw error;
      throw validationFailed(
        [
          {
            field: 'q',
            detail: `the range spans more than ${MAX_BUCKETS} days: narrow started_after/started_before`,
          },
        ],
        SPEND_SEARCH_ERROR,
      );
    }
    const rows = await rowsOf(query.group_by, report, store);
    return { group_by: query.group_by, totals: sums(report.totals), rows };
  },
});

async function rowsOf(group: Group, report: UsageReport, store: UsageStore): Promise<Row[]> {
  const byCost = (a: Row, b: Row) => b.cost_micros - a.cost_micros || b.interceptions - a.interceptions;
  switch (group) {
    case 'day':
      return report.series
        .filter((p) => p.interceptions > 0)
        .map((p) => ({ key: p.bucketStart.toISOString().slice(0, 10), ...sums(p) }));
    case 'model':
      return report.byModel.map((m) => ({ key: m.model, provider: m.provider, ...sums(m) })).sort(byCost);
    case 'client':
      return report.byClient.map((c) => ({ key: c.client, ...sums(c) })).sort(byCost);
    case 'provider': {
      const totals = new Map<string, Row>();
      for (const m of report.byModel) {
        const row = totals.get(m.provider) ?? {
          key: m.provider,
          interceptions: 0,
          cost_micros: 0,
          unpriced_interceptions: 0,
        };
        row.interceptions += m.interceptions;
        row.cost_micros += m.costMicros;
        row.unpriced_interceptions += m.unpricedInterceptions;
        totals.set(m.provider, row);
      }
      return [...totals.values()].sort(byCost);
    }
    case 'user': {
      const users = await store.initiators(report.byInitiator.map((r) => r.initiatorId));
      return report.byInitiator
        .map((r) => ({ key: users.get(r.initiatorId)?.username ?? '', user_id: r.initiatorId, ...sums(r) }))
        .sort(byCost);
    }
  }
}

/** The spend report. */
export const spendRoutes: AnyRoute[] = [spend];
