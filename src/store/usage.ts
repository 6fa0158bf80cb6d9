import { type Kysely, sql } from 'kysely';
import type { Schema, UserRow } from '../db/schema/index.js';
import type { InterceptionFilter } from '../search/filters.js';
import type { Instant } from '../search/go-time.js';
import type { Scope } from './scope.js';
import {
  type GroupedRow,
  hourSplit,
  plainGroups,
  rolledUpGroups,
  rollupFits,
  type UsageBucket,
} from './usage-sql.js';

export type { UsageBucket } from './usage-sql.js';

/** What one group of interceptions consumed. */
export interface UsageTotals {
  interceptions: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** Micro-dollars of the priced interceptions. */
  costMicros: number;
  /** Interceptions without a cost (unpriced model, or recorded before costs were). */
  unpricedInterceptions: number;
}

/** Usage aggregated four ways at once: over time, by model, by client and by initiator. */
export interface UsageReport {
  totals: UsageTotals;
  /** Dense: every bucket from the first to the last, zero where nothing happened. */
  series: Array<UsageTotals & { bucketStart: Date }>;
  byModel: Array<UsageTotals & { provider: string; model: string }>;
  byClient: Array<UsageTotals & { client: string }>;
  byInitiator: Array<UsageTotals & { initiatorId: string }>;
}

/** Thrown when the range would produce more points than a chart can show. */
export class TooManyBucketsError extends Error {
  constructor(readonly buckets: number) {
    super(`the range spans ${buckets} buckets`);
  }
}

/** The most points one series may have (about 83 days of hours, or 5 years of days). */
export const MAX_BUCKETS = 2000;

const BUCKET_MS: Record<UsageBucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** GROUPING() bit masks for the five grouping sets, in the column order of the query. */
const GROUP = { series: 0b01111, model: 0b10011, client: 0b11101, initiator: 0b11110, totals: 0b11111 };

/**
 * Reads token usage of ended interceptions in one GROUPING SETS statement over the hourly
 * rollup (whole hours) and the raw rows of the range's partial edge hours, so the dashboard's
 * charts cost a row per hour and key however many breakdowns they show.
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
    // The work_mem keeps the grouping (and the plain path's two scans) in memory.
    const rows = await this.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
      return (await rollupFits(tx, hourSplit(filter), bucket, timeZone))
        ? rolledUpGroups(tx, filter, scope, bucket, timeZone)
        : plainGroups(tx, filter, scope, bucket, timeZone);
    });
    const pick = (mask: number) => rows.filter((row) => row.grouping === mask);
    // Ties ranked by their key, so equal groups keep one order whichever path read them.
    const byTokens =
      <T extends UsageTotals>(key: (row: T) => string) =>
      (a: T, b: T) =>
        totalTokens(b) - totalTokens(a) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
    const present = pick(GROUP.series).map((row) => ({
      bucketStart: row.bucket_start as Date,
      ...totals(row),
    }));
    return {
      totals: totals(pick(GROUP.totals)[0]),
      series: await this.denseSeries(present, filter, bucket, timeZone),
      byModel: pick(GROUP.model)
        .map((row) => ({ provider: row.provider ?? '', model: row.model ?? '', ...totals(row) }))
        .sort(byTokens((row) => `${row.provider}\n${row.model}`)),
      byClient: pick(GROUP.client)
        .map((row) => ({ client: row.client ?? 'Unknown', ...totals(row) }))
        .sort(byTokens((row) => row.client)),
      byInitiator: pick(GROUP.initiator)
        .map((row) => ({ initiatorId: row.initiator_id ?? '', ...totals(row) }))
        .sort(byTokens((row) => row.initiatorId)),
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

/** All four token kinds added up: how groups are ranked. */
export function totalTokens(usage: UsageTotals): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens;
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
