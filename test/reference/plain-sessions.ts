import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Schema } from '../../src/db/schema/index.js';
import type { InterceptionFilter } from '../../src/search/filters.js';
import { allOf, interceptionMatches, rowConditions, sessionConditions } from '../../src/store/conditions.js';
import { Keyset } from '../../src/store/pagination.js';
import { type Scope, visibleTo } from '../../src/store/scope.js';
import type { SessionKey, SessionListQuery, SessionRecord } from '../../src/store/sessions.js';
import { dbTime } from '../../src/store/timestamps.js';

// The sessions list as it was before the session summaries: every page grouped the
// interceptions themselves. Kept as the reference the summaries must match exactly
// (src/store/session-summaries.test.ts); not used by the application.

/**
 * Sessions ordered by last activity, newest first. A session's last activity is the start of
 * its newest ended interception (its "head"), so walking interceptions newest first and
 * keeping only heads yields sessions already in order: the first page reads a few index
 * entries, not every session. Ties fall back to the session id, then the initiator.
 */
const LATEST_ACTIVITY_FIRST = new Keyset(['h.started_at', 'h.session_id', 'h.initiator_id'], 'desc');

/**
 * With a filter on interceptions' own fields (model, client, times…), at most this many
 * matching sessions are listed starting from the matching interceptions; more are found
 * faster by walking heads, since matching sessions are then common among recent ones.
 */
export const MATCHING_FIRST_MAX_SESSIONS = 5000;

/**
 * Reads sessions: "paginate first" (the page's session keys, in order), then describe only
 * the page's sessions.
 */
export class SessionStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly matchingFirstMaxSessions = MATCHING_FIRST_MAX_SESSIONS,
  ) {}

  /** How many sessions have at least one interception matching the filter. */
  async count(filter: InterceptionFilter, scope: Scope): Promise<number> {
    const { rows } = await sql<{ count: number }>`
      SELECT count(*) AS count FROM (
        SELECT 1 FROM aibridge_interceptions i
        WHERE ${interceptionMatches('i', filter, scope)}
        GROUP BY i.session_id, i.initiator_id
      ) sessions`.execute(this.db);
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * The number of matching sessions and one page of them, most recently active first. The
   * count decides how the page is found: few matches (for a filter on interceptions' own
   * fields) are read from the matching interceptions; otherwise heads are walked newest first
   * until the page is full, which reads a few index entries however large the table.
   */
  async page(q: SessionListQuery): Promise<{ count: number; sessions: SessionRecord[] }> {
    const count = await this.count(q.filter, q.scope);
    if (count === 0) return { count, sessions: [] };
    const fromMatches = rowConditions('i', q.filter).length > 0 && count <= this.matchingFirstMaxSessions;
    return { count, sessions: await this.describe(fromMatches ? pageOfMatches(q) : pageOfHeads(q)) };
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
      SELECT i.initiator_id FROM aibridge_interceptions i
      WHERE i.session_id = ${sessionId} AND i.ended_at IS NOT NULL AND ${visibleTo(scope, 'i')}
        ${choose.initiatorId === undefined ? sql`` : sql`AND i.initiator_id = ${choose.initiatorId}`}
      GROUP BY i.initiator_id
      ORDER BY (i.initiator_id = ${choose.preferInitiatorId}) DESC, max(i.started_at) DESC, i.initiator_id DESC
      LIMIT 1`.execute(this.db);
    const row = rows[0];
    return row ? { initiatorId: row.initiator_id, sessionId } : undefined;
  }

  /** One session's header. */
  async get(key: SessionKey): Promise<SessionRecord | undefined> {
    const [session] = await this.describe(sql`
      SELECT i.initiator_id, i.session_id, max(i.started_at) AS last_active_at
      FROM aibridge_interceptions i
      WHERE i.session_id = ${key.sessionId} AND i.initiator_id = ${key.initiatorId} AND i.ended_at IS NOT NULL
      GROUP BY i.initiator_id, i.session_id`);
    return session;
  }

  /**
   * Looks up the display fields of the sessions `page` yields (columns initiator_id,
   * session_id, last_active_at) over all their ended interceptions, one lateral lookup each.
   */
  private async describe(page: RawBuilder<unknown>): Promise<SessionRecord[]> {
    const { rows } = await sql<SessionRow>`
      WITH page AS (${page})
      SELECT page.session_id AS id, ${dbTime('page.last_active_at')} AS last_active_at,
        u.id AS user_id, u.username, u.name, u.avatar_url,
        agg.providers, agg.models, agg.threads,
        ${dbTime('agg.started_at')} AS started_at, ${dbTime('agg.ended_at')} AS ended_at,
        first.client, first.metadata,
        tokens.input_tokens, tokens.output_tokens, tokens.cache_read_input_tokens, tokens.cache_write_input_tokens,
        agg.cost_micros, agg.unpriced_interceptions, latest.prompt AS last_prompt
      FROM page
      JOIN users u ON u.id = page.initiator_id
      CROSS JOIN LATERAL (
        SELECT array_agg(DISTINCT x.provider ORDER BY x.provider) AS providers,
          array_agg(DISTINCT x.model ORDER BY x.model) AS models,
          count(*) FILTER (WHERE x.thread_root_id IS NULL) AS threads,
          min(x.started_at) AS started_at, max(x.ended_at) AS ended_at, array_agg(x.id) AS ids,
          COALESCE(sum(x.cost_micros), 0)::bigint AS cost_micros,
          count(*) FILTER (WHERE x.cost_micros IS NULL) AS unpriced_interceptions
        FROM aibridge_interceptions x
        WHERE ${ofSession('x')}
      ) agg
      CROSS JOIN LATERAL (
        SELECT x.client, x.metadata FROM aibridge_interceptions x
        WHERE ${ofSession('x')}
        ORDER BY x.started_at, x.id LIMIT 1
      ) first
      CROSS JOIN LATERAL (
        SELECT COALESCE(sum(t.input_tokens), 0)::bigint AS input_tokens,
          COALESCE(sum(t.output_tokens), 0)::bigint AS output_tokens,
          COALESCE(sum(t.cache_read_input_tokens), 0)::bigint AS cache_read_input_tokens,
          COALESCE(sum(t.cache_write_input_tokens), 0)::bigint AS cache_write_input_tokens
        FROM aibridge_token_usages t WHERE t.interception_id = ANY(agg.ids)
      ) tokens
      LEFT JOIN LATERAL (
        SELECT p.prompt FROM aibridge_user_prompts p WHERE p.interception_id = ANY(agg.ids)
        ORDER BY p.created_at DESC, p.id DESC LIMIT 1
      ) latest ON TRUE
      ORDER BY page.last_active_at DESC, page.session_id DESC, page.initiator_id DESC`.execute(this.db);
    return rows.map(({ user_id, username, name, avatar_url, ...row }) => ({
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
  }
}

type SessionRow = Omit<SessionRecord, 'initiator'> & InitiatorColumns;
type InitiatorColumns = { user_id: string; username: string; name: string; avatar_url: string };

/** The ended interceptions of the page row's session. */
function ofSession(alias: string): RawBuilder<SqlBool> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<SqlBool>`${column('session_id')} = page.session_id AND ${column('initiator_id')} = page.initiator_id
    AND ${column('ended_at')} IS NOT NULL`;
}

/**
 * The page's sessions as (initiator_id, session_id, last_active_at): heads (the newest ended
 * interception of their session) in order, kept when the session matches the filter — the
 * head itself or, failing that, any other interception of the session.
 */
function pageOfHeads(q: SessionListQuery): RawBuilder<unknown> {
  const sameSession = (alias: string) =>
    sql`${sql.ref(`${alias}.session_id`)} = h.session_id AND ${sql.ref(`${alias}.initiator_id`)} = h.initiator_id
      AND ${sql.ref(`${alias}.ended_at`)} IS NOT NULL`;
  const conditions: RawBuilder<SqlBool>[] = [
    ...sessionConditions('h', q.filter, q.scope),
    sql<SqlBool>`NOT EXISTS (SELECT 1 FROM aibridge_interceptions n
      WHERE ${sameSession('n')} AND (n.started_at, n.id) > (h.started_at, h.id))`,
  ];
  if (q.filter.startedAfter !== undefined) {
    // A matching interception starts at or after the bound, so the session's head does too.
    conditions.push(sql<SqlBool>`h.started_at >= ${q.filter.startedAfter.sql}::timestamptz`);
  }
  const rows = rowConditions('h', q.filter);
  if (rows.length > 0) {
    conditions.push(sql<SqlBool>`(${allOf(rows)} OR EXISTS (SELECT 1 FROM aibridge_interceptions m
      WHERE ${sameSession('m')} AND ${allOf(rowConditions('m', q.filter))}))`);
  }
  if (q.after !== undefined) conditions.push(LATEST_ACTIVITY_FIRST.after(positionOf(q.after)));
  return sql`
    SELECT h.initiator_id, h.session_id, h.started_at AS last_active_at
    FROM aibridge_interceptions h
    WHERE ${allOf(conditions)}
    ORDER BY ${LATEST_ACTIVITY_FIRST.orderBy()}
    LIMIT ${q.limit} OFFSET ${q.offset}`;
}

/** Sessions by last activity, as pageOfMatches names the columns. */
const MATCHES_BY_ACTIVITY = new Keyset(['head.last_active_at', 's.session_id', 's.initiator_id'], 'desc');

/**
 * The page's sessions found from the other end: the distinct sessions of the matching
 * interceptions (through the filter's index), each with its last activity, sorted.
 */
function pageOfMatches(q: SessionListQuery): RawBuilder<unknown> {
  const after = q.after === undefined ? sql`TRUE` : MATCHES_BY_ACTIVITY.after(positionOf(q.after));
  return sql`
    SELECT s.initiator_id, s.session_id, head.last_active_at
    FROM (
      SELECT DISTINCT i.initiator_id, i.session_id FROM aibridge_interceptions i
      WHERE ${interceptionMatches('i', q.filter, q.scope)}
    ) s
    CROSS JOIN LATERAL (
      SELECT max(x.started_at) AS last_active_at FROM aibridge_interceptions x
      WHERE x.session_id = s.session_id AND x.initiator_id = s.initiator_id AND x.ended_at IS NOT NULL
    ) head
    WHERE ${after}
    ORDER BY ${MATCHES_BY_ACTIVITY.orderBy()}
    LIMIT ${q.limit} OFFSET ${q.offset}`;
}

/** A cursor session's place in the order: (last activity, session id, initiator). */
function positionOf(key: SessionKey): RawBuilder<unknown> {
  return sql`SELECT max(c.started_at), ${key.sessionId}::text, ${key.initiatorId}::uuid
    FROM aibridge_interceptions c
    WHERE c.session_id = ${key.sessionId} AND c.initiator_id = ${key.initiatorId} AND c.ended_at IS NOT NULL`;
}
