// The usage aggregate as it was before the hourly rollup: one GROUPING SETS pass over the raw
// interceptions and their token rows. Kept as the reference the rollup must match.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Schema, UserRow } from '../../src/db/schema/index.js';
import type { InterceptionFilter } from '../../src/search/filters.js';
import type { Instant } from '../../src/search/go-time.js';
import { interceptionMatches } from '../../src/store/conditions.js';
import type { Scope } from '../../src/store/scope.js';
import {
  MAX_BUCKETS,
  TooManyBucketsError,
  totalTokens,
  type UsageBucket,
  type UsageReport,
  type UsageTotals,
} from '../../src/store/usage.js';

const BUCKET_MS: Record<UsageBucket, number> = { hour: 3_600_000, day: 86_400_000 };

interface GroupedRow {
  grouping: number;
  bucket_start: Date | null;
  provider: string | null;
  model: string | null;
  client: string | null;
  initiator_id: string | null;
  interceptions?: number;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_write_input_tokens?: number;
  cost_micros?: number;
  unpriced_interceptions?: number;
}

/** Identifies a group across the count and the sum query. */
function groupKey(row: GroupedRow): string {
  return JSON.stringify([
    row.grouping,
    row.bucket_start?.getTime(),
    row.provider,
    row.model,
    row.client,
    row.initiator_id,
  ]);
}

/** GROUPING() bit masks for the five grouping sets, in the column order of the query. */
const GROUP = { series: 0b01111, model: 0b10011, client: 0b11101, initiator: 0b11110, totals: 0b11111 };

/**
 * Reads token usage of ended interceptions in one pass over the matching rows (GROUPING
 * SETS), so the dashboard's charts cost one scan however many breakdowns they show.
 * Buckets are cut on the wall clock of `timeZone`, so a day is the viewer's day.
 */
export class UsageStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Ended interceptions the scope may see that match the interceptions list's filter. */
  async report(
    filter: InterceptionFilter,
    scope: Scope,
    bucket: UsageBucket,
    timeZone: string,
  ): Promise<UsageReport> {
    const where = interceptionMatches('i', filter, scope);
    const localBucket = sql`date_trunc(${bucket}, i.started_at AT TIME ZONE ${timeZone})`;
    // The bucket is computed once in a subquery: PostgreSQL would not match a parameterised
    // expression in SELECT with the same one in GROUP BY.
    const groups = (aggregates: RawBuilder<unknown>, join: RawBuilder<unknown>) => sql<GroupedRow>`
      SELECT GROUPING(i.local_bucket, i.provider, i.model, i.client, i.initiator_id) AS grouping,
             i.local_bucket AT TIME ZONE ${timeZone} AS bucket_start,
             i.provider, i.model, i.client, i.initiator_id,
             ${aggregates}
      FROM (
        SELECT i.id, i.provider, i.model, COALESCE(i.client, 'Unknown') AS client, i.initiator_id,
               i.cost_micros, ${localBucket} AS local_bucket
        FROM aibridge_interceptions i
        WHERE ${where}
      ) i ${join}
      GROUP BY GROUPING SETS ((i.local_bucket), (i.provider, i.model), (i.client), (i.initiator_id), ())
    `;
    // Two scans (counts over interceptions, sums over their token rows) beat one scan that
    // first groups token rows per interception; enough work_mem keeps both in memory.
    const [counts, sums] = await this.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
      const counted = await groups(
        sql`COUNT(*)::int8 AS interceptions, COALESCE(SUM(i.cost_micros), 0)::int8 AS cost_micros,
            COUNT(*) FILTER (WHERE i.cost_micros IS NULL)::int8 AS unpriced_interceptions`,
        sql``,
      ).execute(tx);
      const summed = await groups(
        sql`SUM(t.input_tokens)::int8 AS input_tokens, SUM(t.output_tokens)::int8 AS output_tokens,
            SUM(t.cache_read_input_tokens)::int8 AS cache_read_input_tokens,
            SUM(t.cache_write_input_tokens)::int8 AS cache_write_input_tokens`,
        sql`JOIN aibridge_token_usages t ON t.interception_id = i.id`,
      ).execute(tx);
      return [counted.rows, summed.rows];
    });
    const tokensByGroup = new Map(sums.map((row) => [groupKey(row), row]));
    const rows = counts.map((row) => ({ ...tokensByGroup.get(groupKey(row)), ...row }));

    const pick = (mask: number) => rows.filter((row) => row.grouping === mask);
    const byTokens = <T extends UsageTotals>(a: T, b: T) => totalTokens(b) - totalTokens(a);
    const present = pick(GROUP.series).map((row) => ({
      bucketStart: row.bucket_start as Date,
      ...totals(row),
    }));
    return {
      totals: totals(pick(GROUP.totals)[0]),
      series: await this.denseSeries(present, filter, bucket, timeZone),
      byModel: pick(GROUP.model)
        .map((row) => ({ provider: row.provider ?? '', model: row.model ?? '', ...totals(row) }))
        .sort(byTokens),
      byClient: pick(GROUP.client)
        .map((row) => ({ client: row.client ?? 'Unknown', ...totals(row) }))
        .sort(byTokens),
      byInitiator: pick(GROUP.initiator)
        .map((row) => ({ initiatorId: row.initiator_id ?? '', ...totals(row) }))
        .sort(byTokens),
    };
  }

  /** The users behind a breakdown, deleted ones included: their records keep their initiator. */
  async initiators(ids: string[]): Promise<Map<string, UserRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * Fills the gaps between buckets with zeros, from the range's start (or the first
   * bucket with data) to its end (or now), stepping on the local wall clock so days stay
   * days across daylight-saving changes.
   */
  private async denseSeries(
    present: UsageReport['series'],
    filter: InterceptionFilter,
    bucket: UsageBucket,
    timeZone: string,
  ): Promise<UsageReport['series']> {
    const first = dateOf(filter.startedAfter) ?? present.reduce<Date | undefined>(earliest, undefined);
    if (!first) return [];
    const last = dateOf(filter.startedBefore) ?? new Date();
    const estimate = Math.floor((last.getTime() - first.getTime()) / BUCKET_MS[bucket]) + 1;
    if (estimate > MAX_BUCKETS + 1) throw new TooManyBucketsError(estimate);
    const { rows } = await sql<{ bucket_start: Date }>`
      SELECT s AT TIME ZONE ${timeZone} AS bucket_start
      FROM generate_series(
        date_trunc(${bucket}, ${first}::timestamptz AT TIME ZONE ${timeZone}),
        ${last}::timestamptz AT TIME ZONE ${timeZone},
        ${`1 ${bucket}`}::interval) AS s
    `.execute(this.db);
    const byTime = new Map(present.map((point) => [point.bucketStart.getTime(), point]));
    return rows.map(
      ({ bucket_start }) =>
        byTime.get(bucket_start.getTime()) ?? { bucketStart: bucket_start, ...totals(undefined) },
    );
  }
}

function totals(row: GroupedRow | undefined): UsageTotals {
  return {
    interceptions: Number(row?.interceptions ?? 0),
    inputTokens: Number(row?.input_tokens ?? 0),
    outputTokens: Number(row?.output_tokens ?? 0),
    cacheReadInputTokens: Number(row?.cache_read_input_tokens ?? 0),
    cacheWriteInputTokens: Number(row?.cache_write_input_tokens ?? 0),
    costMicros: Number(row?.cost_micros ?? 0),
    unpricedInterceptions: Number(row?.unpriced_interceptions ?? 0),
  };
}

function earliest(min: Date | undefined, point: { bucketStart: Date }): Date {
  return min && min < point.bucketStart ? min : point.bucketStart;
}

/** A parsed `q` time as a Date (to the millisecond: enough to place buckets). */
function dateOf(instant: Instant | undefined): Date | undefined {
  return instant === undefined ? undefined : new Date(Number(instant.ns / 1_000_000n));
}
