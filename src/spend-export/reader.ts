import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Schema } from '../db/schema/index.js';
import type { InterceptionFilter } from '../search/filters.js';
import { interceptionMatches } from '../store/conditions.js';
import { Keyset } from '../store/pagination.js';
import type { Scope } from '../store/scope.js';
import type { DbTime } from '../store/timestamps.js';

/** What one row of a spend export says, whatever its grain and format. */
export interface SpendLine {
  /** The interception's id (grain `interception`); absent for an hourly row. */
  interceptionId?: string;
  /** The charge period: the interception's start and end, or the hour and the next. */
  periodStart: DbTime;
  periodEnd: DbTime;
  userId: string;
  username: string;
  /** The provider instance (its route prefix) that served it. */
  provider: string;
  model: string;
  /** Per-interception rows only. */
  client?: string | null;
  sessionId?: string;
  interceptions: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Integer micro-dollars of the priced interceptions; null when none of them had a price. */
  costMicros: number | null;
  unpricedInterceptions: number;
}

/** What to export: the caller's filter and scope, read `pageSize` rows per query. */
export interface SpendExportQuery {
  filter: InterceptionFilter;
  scope: Scope;
  pageSize: number;
}

/** Oldest first, as a bill reads; the (started_at, id) index serves it scanned backwards. */
const OLDEST_FIRST = new Keyset(['i.started_at', 'i.id'], 'asc');

const utc = (expression: RawBuilder<unknown>) =>
  sql<DbTime>`to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface Cursor {
  startedAt: string;
  id: string;
}

/**
 * One row per ended interception, oldest first, read a page at a time with a keyset cursor:
 * an export of any size holds one page in memory, and the consumer pulls the next page only
 * when it wants more rows (a slow download slows the reads instead of filling memory).
 */
export async function* interceptionLines(
  db: Kysely<Schema>,
  q: SpendExportQuery,
): AsyncGenerator<SpendLine[]> {
  let cursor: Cursor | undefined;
  for (;;) {
    const after = cursor
      ? OLDEST_FIRST.after(sql`${cursor.startedAt}::timestamptz, ${cursor.id}::uuid`)
      : sql`TRUE`;
    const { rows } = await sql<InterceptionRow>`
      SELECT i.id, i.initiator_id, u.username, i.provider, i.model, i.client,
        i.session_id, i.cost_micros,
        ${utc(sql`i.started_at`)} AS started_at, ${utc(sql`i.ended_at`)} AS ended_at,
        t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens
      FROM aibridge_interceptions i
      JOIN users u ON u.id = i.initiator_id
      LEFT JOIN LATERAL (
        SELECT COALESCE(sum(input_tokens), 0)::int8 AS input_tokens,
          COALESCE(sum(output_tokens), 0)::int8 AS output_tokens,
          COALESCE(sum(cache_read_input_tokens), 0)::int8 AS cache_read_tokens,
          COALESCE(sum(cache_write_input_tokens), 0)::int8 AS cache_write_tokens
        FROM aibridge_token_usages WHERE interception_id = i.id
      ) t ON TRUE
      WHERE ${interceptionMatches('i', q.filter, q.scope)} AND ${after}
      ORDER BY ${OLDEST_FIRST.orderBy()}
      LIMIT ${q.pageSize}
    `.execute(db);
    if (rows.length > 0) yield rows.map(toLine);
    const last = rows.at(-1);
    if (!last || rows.length < q.pageSize) return;
    cursor = { startedAt: last.started_at, id: last.id };
  }
}

interface InterceptionRow {
  id: string;
  initiator_id: string;
  username: string;
  provider: string;
  model: string;
  client: string | null;
  session_id: string;
  cost_micros: number | string | null;
  started_at: DbTime;
  ended_at: DbTime;
  input_tokens: number | string;
  output_tokens: number | string;
  cache_read_tokens: number | string;
  cache_write_tokens: number | string;
}

function toLine(row: InterceptionRow): SpendLine {
  return {
    interceptionId: row.id,
    periodStart: row.started_at,
    periodEnd: row.ended_at,
    userId: row.initiator_id,
    username: row.username,
    provider: row.provider,
    model: row.model,
    client: row.client,
    sessionId: row.session_id,
    interceptions: 1,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    costMicros: row.cost_micros === null ? null : Number(row.cost_micros),
    unpricedInterceptions: row.cost_micros === null ? 1 : 0,
  };
}

/**
 * One row per hour × user × provider instance × model, oldest hour first: each step sums one
 * hour's interceptions (a few users × models, never the whole range) and then seeks the next
 * hour that has any, so quiet stretches cost one indexed lookup, not a query per empty hour.
 */
export async function* hourlyLines(db: Kysely<Schema>, q: SpendExportQuery): AsyncGenerator<SpendLine[]> {
  const matches = interceptionMatches('i', q.filter, q.scope);
  let hour = await nextHour(db, matches, undefined);
  while (hour !== undefined) {
    const { start, end } = hour;
    const { rows } = await sql<HourRow>`
      SELECT i.initiator_id, u.username, i.provider, i.model,
        count(*)::int8 AS interceptions,
        sum(i.cost_micros)::int8 AS cost_micros,
        count(*) FILTER (WHERE i.cost_micros IS NULL)::int8 AS unpriced,
        COALESCE(sum(t.input_tokens), 0)::int8 AS input_tokens,
        COALESCE(sum(t.output_tokens), 0)::int8 AS output_tokens,
        COALESCE(sum(t.cache_read_tokens), 0)::int8 AS cache_read_tokens,
        COALESCE(sum(t.cache_write_tokens), 0)::int8 AS cache_write_tokens
      FROM aibridge_interceptions i
      JOIN users u ON u.id = i.initiator_id
      LEFT JOIN LATERAL (
        SELECT sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
          sum(cache_read_input_tokens) AS cache_read_tokens,
          sum(cache_write_input_tokens) AS cache_write_tokens
        FROM aibridge_token_usages WHERE interception_id = i.id
      ) t ON TRUE
      WHERE ${matches} AND i.started_at >= ${start}::timestamptz AND i.started_at < ${end}::timestamptz
      GROUP BY i.initiator_id, u.username, i.provider, i.model
      ORDER BY u.username, i.provider, i.model
    `.execute(db);
    if (rows.length > 0) yield rows.map((row) => hourLine(row, start, end));
    hour = await nextHour(db, matches, end);
  }
}

interface HourRow {
  initiator_id: string;
  username: string;
  provider: string;
  model: string;
  interceptions: number | string;
  cost_micros: number | string | null;
  unpriced: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cache_read_tokens: number | string;
  cache_write_tokens: number | string;
}

/** The UTC hour (start and end) of the first matching interception at or after `from`, if any. */
async function nextHour(
  db: Kysely<Schema>,
  matches: ReturnType<typeof interceptionMatches>,
  from: DbTime | undefined,
): Promise<{ start: DbTime; end: DbTime } | undefined> {
  const after = from === undefined ? sql`TRUE` : sql`i.started_at >= ${from}::timestamptz`;
  const hour = sql`date_trunc('hour', i.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
  const { rows } = await sql<{ start: DbTime; end: DbTime }>`
    SELECT ${utc(hour)} AS start, ${utc(sql`${hour} + interval '1 hour'`)} AS "end"
    FROM aibridge_interceptions i
    WHERE ${matches} AND ${after}
    ORDER BY i.started_at ASC, i.id ASC
    LIMIT 1
  `.execute(db);
  return rows[0];
}

function hourLine(row: HourRow, start: DbTime, end: DbTime): SpendLine {
  return {
    periodStart: start,
    periodEnd: end,
    userId: row.initiator_id,
    username: row.username,
    provider: row.provider,
    model: row.model,
    interceptions: Number(row.interceptions),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    costMicros: row.cost_micros === null ? null : Number(row.cost_micros),
    unpricedInterceptions: Number(row.unpriced),
  };
}
