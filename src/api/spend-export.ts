import { z } from 'zod';
import { parseInterceptionSearch } from '../search/filters.js';
import { EXPORT_FORMATS, EXPORT_GRAINS } from '../spend-export/formats.js';
import { spendExportStream } from '../spend-export/stream.js';
import { scopeOf } from '../store/scope.js';
import { firstValue } from './query-params.js';
import { type AnyRoute, defineRoute } from './route.js';
import { filterOrThrow, searcherFor } from './search.js';

/** Rows read from the database per query; one page is all an export holds in memory. */
const PAGE_SIZE = 1000;

const ExportQuery = z.object({
  format: z
    .enum(EXPORT_FORMATS, { error: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
    .default('csv')
    .describe(
      'csv: aibridge’s columns (tokens, cost_usd, cost_micros; empty cost = unpriced). focus: the FinOps FOCUS 1.2 cost and usage columns (BilledCost, EffectiveCost, ListCost, ChargePeriodStart, ServiceName, ResourceId, ConsumedQuantity, Tags, …) plus x_ columns.',
    ),
  grain: z
    .enum(EXPORT_GRAINS, { error: `grain must be one of ${EXPORT_GRAINS.join(', ')}` })
    .default('interception')
    .describe(
      'interception: one row per ended interception (its start and end are the charge period). hour: one row per UTC hour × user × provider instance × model.',
    ),
  q: firstValue(
    'Search query as on the usage endpoint: initiator, provider, model, client, started_after, started_before.',
  ),
});

/**
 * GET /api/v2/aibridge/spend/export: every matching interception's cost as a CSV or FOCUS
 * file, oldest first, streamed page by page so an export of millions of rows never sits in
 * the server's memory; members export only their own.
 */
const exportSpend = defineRoute({
  method: 'GET',
  path: '/api/v2/aibridge/spend/export',
  summary: 'Export spend as CSV or FinOps FOCUS 1.2 (streamed)',
  tags: ['Cost'],
  query: ExportQuery,
  queryErrorMessage: 'Invalid spend export parameters.',
  produces: 'text/csv',
  responseDescription:
    'RFC 4180 CSV with a header row, streamed (chunked). An error after the first row ends the stream early (no trailer): compare the row count with GET /spend when in doubt.',
  handler: async ({ actor, deps, query, reply }) => {
    const db = deps.db.kysely;
    const filter = filterOrThrow(
      await parseInterceptionSearch(query.q, searcherFor(actor, db)),
      'Invalid spend search query.',
    );
    // Read up to its first page before any header is set: an error then is an ordinary 4xx/503.
    const stream = await spendExportStream(db, {
      filter,
      scope: scopeOf(actor),
      pageSize: PAGE_SIZE,
      format: query.format,
      grain: query.grain,
    });
    const name = `aibridge-spend-${query.grain}${query.format === 'focus' ? '-focus' : ''}.csv`;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${name}"`);
    reply.header('cache-control', 'no-store');
    return stream;
  },
});

/** The spend export. */
export const spendExportRoutes: AnyRoute[] = [exportSpend];
