import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { JsonObject, Schema } from '../db/schema/index.js';
import type { InterceptionFilter } from '../search/filters.js';
import { countFromCounters, listConditions } from './activity-counts.js';
import { allOf, rowConditions } from './conditions.js';
import type { InitiatorRecord } from './interceptions.js';
import { Keyset, type Page } from './pagination.js';
import { type Scope, visibleTo } from './scope.js';
import { type DbTime, dbTime } from './timestamps.js';

/**
 * A session is identified by who ran it and its key: two users sending the same client
 * session id have two sessions that merely share an `id`.
 */
export interface SessionKey {
  initiatorId: string;
  sessionId: string;
}

/** A session as the list and the detail header show it: every field covers the whole session. */
export interface SessionRecord {
  id: string;
  initiator: InitiatorRecord;
  providers: string[];
  models: string[];
  client: string | null;
  metadata: JsonObject | null;
  started_at: DbTime;
  ended_at: DbTime | null;
  last_active_at: DbTime;
  threads: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  cost_micros: number;
  unpriced_interceptions: number;
  last_prompt: string | null;
}

/** A page of sessions: filter, scope, size, and an `after_session_id` cursor or an offset. */
export interface SessionListQuery extends Page {
  filter: InterceptionFilter;
  scope: Scope;
  after?: SessionKey | undefined;
}

/**
 * Sessions ordered by last activity (the start of their newest ended interception), newest
 * first; ties fall back to the session id, then the initiator. The summary table has an index
 * in exactly this order, so a page (and a cursor seek) reads a few index entries.
 */
const LATEST_ACTIVITY_FIRST = new Keyset(['s.last_active_at', 's.session_id', 's.initiator_id'], 'desc');

/**
 * Reads sessions from their summaries (`aibridge_sessions`, kept by triggers over the ended
 * interceptions), so a page and its count cost the same at a thousand or a million sessions.
 * A session matches when one of its interceptions does: a single provider, model or client
 * condition is read off the session's value lists, exactly; several of them, or a time
 * range, narrow the candidates the same way and are then checked on the interceptions.
 */
export class SessionStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * How many sessions have at least one interception matching the filter: a sum of a few
   * per-initiator counters when the filter is at most one provider/model/client value,
   * else a count of the matching summaries.
   */
  async count(filter: InterceptionFilter, scope: Scope): Promise<number> {
    const counted = await countFromCounters(this.db, 'sessions', filter, scope);
    if (counted !== undefined) return counted;
    const { rows } = await sql<{ count: number }>`
      SELECT count(*) AS count FROM aibridge_sessions s WHERE ${sessionMatches(filter, scope)}`.execute(
      this.db,
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * The number of matching sessions and one page of them, most recently active first. When
   * the counters answer the count, the page walks the activity index; otherwise one
   * statement finds the matching sessions once (through the span index for a time range) and
   * both counts and pages them.
   */
  async page(q: SessionListQuery): Promise<{ count: number; sessions: SessionRecord[] }> {
    const counted = await countFromCounters(this.db, 'sessions', q.filter, q.scope);
    if (counted === 0) return { count: 0, sessions: [] };
    const after = await this.cursor(q.after);
    if (after === undefined) return { count: counted ?? (await this.count(q.filter, q.scope)), sessions: [] };
    const matching = sql`SELECT s.session_id, s.initiator_id, s.last_active_at
      FROM aibridge_sessions s WHERE ${sessionMatches(q.filter, q.scope)}`;
    const order = sql`ORDER BY ${LATEST_ACTIVITY_FIRST.orderBy()} LIMIT ${q.limit} OFFSET ${q.offset}`;
    if (counted !== undefined) {
      return {
        count: counted,
        sessions: (await this.describe(sql`${matching} AND ${after} ${order}`)).sessions,
      };
    }
    const { sessions, total } = await this.describe(
      sql`SELECT * FROM matching s WHERE ${after} ${order}`,
      matching,
    );
    return { count: total ?? (await this.count(q.filter, q.scope)), sessions };
  }

  /** Sessions after the cursor's place (TRUE without a cursor), or undefined if it is gone. */
  private async cursor(after: SessionKey | undefined): Promise<RawBuilder<SqlBool> | undefined> {
    if (after === undefined) return sql<SqlBool>`TRUE`;
    // The place is read first, so the page seeks the index with plain values.
    const { rows } = await sql<{ last_active_at: string }>`
      SELECT c.last_active_at::text AS last_active_at FROM aibridge_sessions c
      WHERE c.session_id = ${after.sessionId} AND c.initiator_id = ${after.initiatorId}`.execute(this.db);
    const at = rows[0]?.last_active_at;
    return at === undefined
      ? undefined
      : LATEST_ACTIVITY_FIRST.after(
          sql`${at}::timestamptz, ${after.sessionId}::text, ${after.initiatorId}::uuid`,
        );
  }

  /**
   * The visible session with this id: the one of `initiatorId` if given; otherwise the
   * caller's own, else the most recently active (an id two users share is two sessions).
   */
  async find(
    sessionId: string,
    scope: Scope,
    choose: { initiatorId?: string | undefined; preferInitiatorId: string },
  ): Promise<SessionKey | undefined> {
    const { rows } = await sql<{ initiator_id: string }>`
      SELECT s.initiator_id FROM aibridge_sessions s
      WHERE s.session_id = ${sessionId} AND ${visibleTo(scope, 's')}
        ${choose.initiatorId === undefined ? sql`` : sql`AND s.initiator_id = ${choose.initiatorId}`}
      ORDER BY (s.initiator_id = ${choose.preferInitiatorId}) DESC, s.last_active_at DESC, s.initiator_id DESC
      LIMIT 1`.execute(this.db);
    const row = rows[0];
    return row ? { initiatorId: row.initiator_id, sessionId } : undefined;
  }

  /** One session's header. */
  async get(key: SessionKey): Promise<SessionRecord | undefined> {
    const {
      sessions: [session],
    } = await this.describe(sql`SELECT s.session_id, s.initiator_id, s.last_active_at
      FROM aibridge_sessions s WHERE s.session_id = ${key.sessionId} AND s.initiator_id = ${key.initiatorId}`);
    return session;
  }

  /**
   * The sessions `page` yields (session_id, initiator_id, last_active_at, in order), described.
   * With `matching` (the same columns), `page` may read it as `matching`, computed once, and
   * its row count comes back as `total` (unknown when the page is empty).
   */
  private async describe(
    page: RawBuilder<unknown>,
    matching?: RawBuilder<unknown>,
  ): Promise<{ sessions: SessionRecord[]; total: number | undefined }> {
    const { rows } = await sql<SessionRow & { total: number | null }>`
      WITH ${matching === undefined ? sql`` : sql`matching AS MATERIALIZED (${matching}),`}
        page AS (${page})
      SELECT ${matching === undefined ? sql`NULL` : sql`(SELECT count(*) FROM matching)`}::int8 AS total, s.session_id AS id, ${dbTime('s.last_active_at')} AS last_active_at,
        u.id AS user_id, u.username, u.name, u.avatar_url,
        s.providers, s.models, s.threads,
        ${dbTime('s.started_at')} AS started_at, ${dbTime('s.ended_at')} AS ended_at,
        s.client, s.metadata,
        s.input_tokens, s.output_tokens, s.cache_read_input_tokens, s.cache_write_input_tokens,
        s.cost_micros, s.unpriced_interceptions, s.last_prompt
      FROM page
      JOIN aibridge_sessions s ON s.session_id = page.session_id AND s.initiator_id = page.initiator_id
      JOIN users u ON u.id = s.initiator_id
      ORDER BY page.last_active_at DESC, page.session_id DESC, page.initiator_id DESC`.execute(this.db);
    const sessions = rows.map(({ user_id, username, name, avatar_url, total: _, ...row }) => ({
      ...row,
      threads: Number(row.threads),
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      cache_read_input_tokens: Number(row.cache_read_input_tokens),
      cache_write_input_tokens: Number(row.cache_write_input_tokens),
      cost_micros: Number(row.cost_micros),
      unpriced_interceptions: Number(row.unpriced_interceptions),
      initiator: { id: user_id, username, name, avatar_url },
    }));
    return { sessions, total: rows[0]?.total ?? undefined };
  }
}

type SessionRow = Omit<SessionRecord, 'initiator'> & InitiatorColumns;
type InitiatorColumns = { user_id: string; username: string; name: string; avatar_url: string };

/**
 * Summaries (aliased s) of the sessions the filter matches. Necessary conditions first, on
 * the summary: each value in the session's lists, its span overlapping the time range. They
 * are exact for one value and no range; otherwise an interception of the session must match
 * them all, checked through the (session, initiator, started_at) index.
 */
function sessionMatches(filter: InterceptionFilter, scope: Scope): RawBuilder<SqlBool> {
  const conditions: RawBuilder<SqlBool>[] = [visibleTo(scope, 's')];
  if (filter.initiatorId !== undefined) conditions.push(sql<SqlBool>`s.initiator_id = ${filter.initiatorId}`);
  if (filter.sessionId !== undefined) conditions.push(sql<SqlBool>`s.session_id = ${filter.sessionId}`);
  const lists = listConditions(filter);
  for (const [facet, value] of lists) {
    conditions.push(sql<SqlBool>`${value}::text = ANY(${sql.ref(`s.${facet}s`)})`);
  }
  const { startedAfter, startedBefore } = filter;
  const ranged = startedAfter !== undefined || startedBefore !== undefined;
  if (ranged) {
    const bound = (instant: typeof startedAfter) =>
      instant === undefined ? sql`NULL` : sql`${instant.sql}::timestamptz`;
    conditions.push(sql<SqlBool>`tstzrange(s.started_at, s.last_active_at, '[]')
      && tstzrange(${bound(startedAfter)}, ${bound(startedBefore)}, '[]')`);
  }
  if (ranged && lists.length === 0) {
    // Only a range: a session whose first or newest interception falls in it matches, so only
    // sessions spanning the whole range need their interceptions checked.
    const inRange = (column: string) =>
      allOf([
        ...(startedAfter === undefined
          ? []
          : [sql<SqlBool>`${sql.ref(column)} >= ${startedAfter.sql}::timestamptz`]),
        ...(startedBefore === undefined
          ? []
          : [sql<SqlBool>`${sql.ref(column)} <= ${startedBefore.sql}::timestamptz`]),
      ]);
    conditions.push(
      sql<SqlBool>`(${inRange('s.started_at')} OR ${inRange('s.last_active_at')} OR ${anyInterception(filter)})`,
    );
  } else if (ranged || lists.length > 1) {
    conditions.push(anyInterception(filter));
  }
  return allOf(conditions);
}

/** Some ended interception of the session (aliased s) matches the filter's row conditions. */
function anyInterception(filter: InterceptionFilter): RawBuilder<SqlBool> {
  return sql<SqlBool>`EXISTS (SELECT 1 FROM aibridge_interceptions m
    WHERE m.session_id = s.session_id AND m.initiator_id = s.initiator_id AND m.ended_at IS NOT NULL
      AND ${allOf(rowConditions('m', filter))})`;
}
