import { type Kysely, sql } from 'kysely';
import {
  ACTIVITY_COUNTS_TRIGGERS,
  INTERCEPTION_TRIGGERS,
  RECORD_TRIGGERS,
  SESSION_SUMMARY_FUNCTIONS,
} from './session-summary-sql.js';

/**
 * Session summaries maintained on write, so the sessions list reads one row per session
 * (keyset-paginated on last activity) instead of grouping interceptions per request, and
 * exact counts come from per-initiator counters instead of counting rows:
 * - `aibridge_sessions`: per (session_id, initiator_id), everything the list shows, over the
 *   session's ended interceptions only;
 * - `aibridge_activity_counts`: per initiator and filter value (all, a provider, a model, a
 *   client), how many sessions and ended interceptions it has.
 * Statement-level triggers with transition tables keep both exact: one set-based statement per
 * recorder batch, whatever its size. Existing rows are backfilled here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `CREATE TABLE aibridge_sessions (
      session_id text NOT NULL,
      initiator_id uuid NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz NULL,
      last_active_at timestamptz NOT NULL,
      first_interception_id uuid NOT NULL,
      client varchar(64) NULL,
      metadata jsonb NULL,
      providers text[] NOT NULL,
      models text[] NOT NULL,
      clients text[] NOT NULL,
      interceptions bigint NOT NULL,
      threads bigint NOT NULL,
      input_tokens bigint NOT NULL DEFAULT 0,
      output_tokens bigint NOT NULL DEFAULT 0,
      cache_read_input_tokens bigint NOT NULL DEFAULT 0,
      cache_write_input_tokens bigint NOT NULL DEFAULT 0,
      last_prompt text NULL,
      last_prompt_at timestamptz NULL,
      last_prompt_id uuid NULL,
      PRIMARY KEY (session_id, initiator_id)
    )`,
    `CREATE TABLE aibridge_activity_counts (
      initiator_id uuid NOT NULL,
      facet text NOT NULL,
      value text NOT NULL,
      sessions bigint NOT NULL DEFAULT 0,
      interceptions bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (facet, value, initiator_id)
    )`,
    ...SESSION_SUMMARY_FUNCTIONS,
    `SELECT aibridge_sessions_refresh(NULL, NULL)`,
    `INSERT INTO aibridge_activity_counts (initiator_id, facet, value, interceptions)
     SELECT i.initiator_id, f.facet, f.value, count(*)
     FROM aibridge_interceptions i
     CROSS JOIN LATERAL aibridge_interception_facets(i.provider, i.model, i.client) f
     WHERE i.ended_at IS NOT NULL
     GROUP BY 1, 2, 3`,
    `INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, sessions)
     SELECT s.initiator_id, f.facet, f.value, count(*)
     FROM aibridge_sessions s
     CROSS JOIN LATERAL aibridge_session_facets(s.providers, s.models, s.clients) f
     GROUP BY 1, 2, 3
     ON CONFLICT (facet, value, initiator_id) DO UPDATE SET sessions = EXCLUDED.sessions`,
    `CREATE INDEX aibridge_sessions_activity_idx
      ON aibridge_sessions (last_active_at DESC, session_id DESC, initiator_id DESC)`,
    `CREATE INDEX aibridge_sessions_initiator_activity_idx
      ON aibridge_sessions (initiator_id, last_active_at DESC, session_id DESC)`,
    `CREATE INDEX aibridge_sessions_span_idx
      ON aibridge_sessions USING gist (tstzrange(started_at, last_active_at, '[]'))`,
    ...ACTIVITY_COUNTS_TRIGGERS,
    ...INTERCEPTION_TRIGGERS,
    ...RECORD_TRIGGERS,
    `ANALYZE aibridge_sessions`,
    `ANALYZE aibridge_activity_counts`,
  ];
  // Function bodies hold semicolons, so each statement is sent whole (not split).
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'DROP TABLE aibridge_activity_counts',
    'DROP TABLE aibridge_sessions',
    'DROP FUNCTION aibridge_interceptions_summarize() CASCADE',
    'DROP FUNCTION aibridge_interception_inserted() CASCADE',
    'DROP FUNCTION aibridge_token_usages_summarize() CASCADE',
    'DROP FUNCTION aibridge_user_prompts_summarize() CASCADE',
    'DROP FUNCTION aibridge_sessions_count()',
    'DROP FUNCTION aibridge_sessions_refresh(uuid[], text[])',
    'DROP FUNCTION aibridge_sessions_add(uuid[])',
    'DROP FUNCTION aibridge_interception_facets(text, text, text)',
    'DROP FUNCTION aibridge_session_facets(text[], text[], text[])',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
