import { type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema/index.js';
import type { InterceptionFilter } from '../search/filters.js';
import { allOf, interceptionMatches } from './conditions.js';
import type { Scope } from './scope.js';

/** The width of one point of the time series. */
export type UsageBucket = 'hour' | 'day';

/** One row of the GROUPING SETS aggregate, as PostgreSQL returns it. */
export interface GroupedRow {
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

type Tx = Transaction<Schema>;

const GROUPING_SETS = sql`GROUP BY GROUPING SETS ((u.local_bucket), (u.provider, u.model), (u.client), (u.initiator_id), ())`;

/** The UTC hours `[from, to)` whose every instant the filter's started_at bounds keep. */
export interface HourSplit {
  /** The first whole hour at or after started_after (none: no lower bound). */
  from?: Date | undefined;
  /** The end of the last whole hour at or before started_before (none: no upper bound). */
  to?: Date | undefined;
}

const HOUR_NS = 3_600_000_000_000n;
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const nsDate = (ns: bigint) => new Date(Number(ns / 1_000_000n));

/**
 * Splits the range into whole hours (read from the rollup) and the partial hours at its
 * edges (read from raw rows). Rounded inward on nanoseconds, which also covers PostgreSQL
 * rounding the bound to microseconds: a whole hour is only ever one the bounds fully keep.
 */
export function hourSplit(filter: InterceptionFilter): HourSplit {
  const after = filter.startedAfter?.ns;
  const before = filter.startedBefore?.ns;
  return {
    from: after === undefined ? undefined : nsDate(-floorDiv(-after, HOUR_NS) * HOUR_NS),
    to: before === undefined ? undefined : nsDate(floorDiv(before, HOUR_NS) * HOUR_NS),
  };
}

/**
 * Whether every UTC hour of the rollup in the range falls whole into one local bucket of
 * `timeZone`: true for UTC and whole-hour offsets, false where an offset has minutes
 * (India, Nepal, …) — those are aggregated from raw rows.
 */
export async function rollupFits(
  tx: Tx,
  split: HourSplit,
  bucket: UsageBucket,
  timeZone: string,
): Promise<boolean> {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return true;
  const local = (at: RawBuilder<unknown>) => sql`(${at}) AT TIME ZONE ${timeZone}`;
  const h = sql`h`;
  const { rows } = await sql<{ fits: boolean | null }>`
    SELECT bool_and(date_trunc('hour', ${local(h)}) = ${local(h)}
      AND date_trunc(${bucket}, ${local(h)}) = date_trunc(${bucket}, ${local(sql`h + interval '1 hour' - interval '1 microsecond'`)})) AS fits
    FROM generate_series(
      (SELECT min(hour) FROM aibridge_usage_hourly WHERE ${hourRange('hour', split)}),
      (SELECT max(hour) FROM aibridge_usage_hourly WHERE ${hourRange('hour', split)}),
      interval '1 hour') AS h`.execute(tx);
  return rows[0]?.fits !== false;
}

function hourRange(column: string, split: HourSplit): RawBuilder<SqlBool> {
  const conditions: RawBuilder<SqlBool>[] = [];
  if (split.from) conditions.push(sql<SqlBool>`${sql.ref(column)} >= ${split.from}::timestamptz`);
  if (split.to) conditions.push(sql<SqlBool>`${sql.ref(column)} < ${split.to}::timestamptz`);
  return allOf(conditions);
}

/**
 * The five groupings in one statement: whole hours from the rollup, the partial edge hours
 * from the interceptions (and their token rows) the filter keeps there.
 */
export async function rolledUpGroups(
  tx: Tx,
  filter: InterceptionFilter,
  scope: Scope,
  bucket: UsageBucket,
  timeZone: string,
): Promise<GroupedRow[]> {
  const split = hourSplit(filter);
  const rollup: RawBuilder<SqlBool>[] = [hourRange('r.hour', split)];
  for (const [column, value] of [
    ['initiator_id', scope.initiatorId],
    ['initiator_id', filter.initiatorId],
    ['provider', filter.provider],
    ['model', filter.model],
    ['client', filter.client],
  ] as const) {
    if (value !== undefined) rollup.push(sql<SqlBool>`${sql.ref(`r.${column}`)} = ${value}`);
  }
  // Each edge as its own started_at range (both bounds), so each is one index range scan.
  const edges: RawBuilder<SqlBool>[] = [];
  const after = filter.startedAfter && sql<SqlBool>`i.started_at >= ${filter.startedAfter.sql}::timestamptz`;
  const before =
    filter.startedBefore && sql<SqlBool>`i.started_at <= ${filter.startedBefore.sql}::timestamptz`;
  if (split.from) {
    edges.push(allOf([...(after ? [after] : []), sql<SqlBool>`i.started_at < ${split.from}::timestamptz`]));
  }
  if (split.to) {
    edges.push(allOf([sql<SqlBool>`i.started_at >= ${split.to}::timestamptz`, ...(before ? [before] : [])]));
  }
  const raw =
    edges.length === 0
      ? sql``
      : sql`UNION ALL
        SELECT date_trunc(${bucket}, i.started_at AT TIME ZONE ${timeZone}), i.provider, i.model,
          COALESCE(i.client, 'Unknown'), i.initiator_id, 1, t.input_tokens, t.output_tokens,
          t.cache_read_input_tokens, t.cache_write_input_tokens, COALESCE(i.cost_micros, 0),
          (i.cost_micros IS NULL)::int
        FROM aibridge_interceptions i
        LEFT JOIN LATERAL (
          SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
            sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
            sum(t.cache_write_input_tokens) AS cache_write_input_tokens
          FROM aibridge_token_usages t WHERE t.interception_id = i.id
        ) t ON TRUE
        WHERE ${interceptionMatches('i', filter, scope)} AND (${sql.join(edges, sql` OR `)})`;
  const { rows } = await sql<GroupedRow>`
    SELECT GROUPING(u.local_bucket, u.provider, u.model, u.client, u.initiator_id) AS grouping,
      u.local_bucket AT TIME ZONE ${timeZone} AS bucket_start,
      u.provider, u.model, u.client, u.initiator_id,
      sum(u.interceptions)::int8 AS interceptions, sum(u.input_tokens)::int8 AS input_tokens,
      sum(u.output_tokens)::int8 AS output_tokens,
      sum(u.cache_read_input_tokens)::int8 AS cache_read_input_tokens,
      sum(u.cache_write_input_tokens)::int8 AS cache_write_input_tokens,
      sum(u.cost_micros)::int8 AS cost_micros, sum(u.unpriced_interceptions)::int8 AS unpriced_interceptions
    FROM (
      SELECT date_trunc(${bucket}, r.hour AT TIME ZONE ${timeZone}) AS local_bucket, r.provider, r.model,
        r.client, r.initiator_id, r.interceptions, r.input_tokens, r.output_tokens,
        r.cache_read_input_tokens, r.cache_write_input_tokens, r.cost_micros, r.unpriced_interceptions
      FROM aibridge_usage_hourly r
      WHERE ${allOf(rollup)}
      ${raw}
    ) u
    ${GROUPING_SETS}`.execute(tx);
  return rows;
}

/**
 * The same groupings over the raw rows of the range (time zones the rollup's UTC hours do
 * not fit): two scans (counts over interceptions, sums over their token rows) beat one scan
 * that first groups token rows per interception.
 */
export async function plainGroups(
  tx: Tx,
  filter: InterceptionFilter,
  scope: Scope,
  bucket: UsageBucket,
  timeZone: string,
): Promise<GroupedRow[]> {
  const where = interceptionMatches('i', filter, scope);
  const localBucket = sql`date_trunc(${bucket}, i.started_at AT TIME ZONE ${timeZone})`;
  // The bucket is computed once in a subquery: PostgreSQL would not match a parameterised
  // expression in SELECT with the same one in GROUP BY.
  const groups = (aggregates: RawBuilder<unknown>, join: RawBuilder<unknown>) => sql<GroupedRow>`
    SELECT GROUPING(u.local_bucket, u.provider, u.model, u.client, u.initiator_id) AS grouping,
           u.local_bucket AT TIME ZONE ${timeZone} AS bucket_start,
           u.provider, u.model, u.client, u.initiator_id,
           ${aggregates}
    FROM (
      SELECT i.id, i.provider, i.model, COALESCE(i.client, 'Unknown') AS client, i.initiator_id,
             i.cost_micros, ${localBucket} AS local_bucket
      FROM aibridge_interceptions i
      WHERE ${where}
    ) u ${join}
    ${GROUPING_SETS}
  `;
  const counted = await groups(
    sql`COUNT(*)::int8 AS interceptions, COALESCE(SUM(u.cost_micros), 0)::int8 AS cost_micros,
        COUNT(*) FILTER (WHERE u.cost_micros IS NULL)::int8 AS unpriced_interceptions`,
    sql``,
  ).execute(tx);
  const summed = await groups(
    sql`SUM(t.input_tokens)::int8 AS input_tokens, SUM(t.output_tokens)::int8 AS output_tokens,
        SUM(t.cache_read_input_tokens)::int8 AS cache_read_input_tokens,
        SUM(t.cache_write_input_tokens)::int8 AS cache_write_input_tokens`,
    sql`JOIN aibridge_token_usages t ON t.interception_id = u.id`,
  ).execute(tx);
  const tokensByGroup = new Map(summed.rows.map((row) => [groupKey(row), row]));
  return counted.rows.map((row) => ({ ...tokensByGroup.get(groupKey(row)), ...row }));
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
