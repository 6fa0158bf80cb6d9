/**
 * The SQL of migration 20261128T210000: the recorder's `ended_at` update folds the interceptions
 * it ends into the session summaries and the hourly usage rollup straight from the statement's
 * transition table, instead of passing their ids to a function that reads them back from
 * `aibridge_interceptions`. And the trigger functions get planner settings that keep their plans
 * right as the tables grow.
 *
 * Why: PL/pgSQL plans a statement once per connection and keeps the plan. On a new database
 * it does so while the tables hold a handful of rows, so sequential scans and hash joins look
 * cheapest — and they stay in the cached plan while the tables grow, until autovacuum's first
 * ANALYZE a minute or more later. Measured on the recorder benchmark: one summary call per
 * batch took 15 ms instead of ~1.5 ms, and throughput sustained over 45 s was 3.2k/s with
 * kept plans, 3.4k/s with only sequential scans disabled, 5.3k/s planned per call. Planning
 * per call costs ~0.5 ms a function, which at one request at a time is paid by every few
 * requests, so only the functions that aggregate are planned per call (see below).
 */
import { interceptionsSummarize, MERGE, COLUMNS as SESSION_COLUMNS } from './session-summary-sql.js';
import { ADD, aggregate, KEY, ROLLED_UP, tokenSumsOf, COLUMNS as USAGE_COLUMNS } from './usage-rollup-sql.js';

/** The rows this UPDATE statement ended (their new versions), as a subquery aliased `alias`. */
function justEnded(alias: string, extra = 'TRUE'): string {
  return `(SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL AND ${extra}) ${alias}`;
}

/** Same session and initiator before and after (a re-keyed row is refreshed whole instead). */
const SAME_KEY = 'NOT ((o.session_id, o.initiator_id) IS DISTINCT FROM (n.session_id, n.initiator_id))';

/**
 * One delta row per session of the interceptions this statement ended, merged into the summary:
 * the same values the plain per-session aggregate gives for those interceptions (first one's
 * client and metadata, distinct providers/models/clients, counts, token sums, newest prompt).
 * Token rows and prompts are found through their interception_id indexes.
 */
const ADD_ENDED_TO_SESSIONS = `INSERT INTO aibridge_sessions AS s (${SESSION_COLUMNS})
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    a.first_client, a.first_metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    a.input_tokens, a.output_tokens, a.cache_read_input_tokens, a.cache_write_input_tokens,
    p.prompt, p.created_at, p.id
  FROM (
    SELECT e.session_id, e.initiator_id, min(e.started_at) AS started_at, max(e.ended_at) AS ended_at,
      max(e.started_at) AS last_active_at, (array_agg(e.id ORDER BY e.started_at, e.id))[1] AS first_id,
      (array_agg(e.client ORDER BY e.started_at, e.id))[1] AS first_client,
      (array_agg(e.metadata ORDER BY e.started_at, e.id))[1] AS first_metadata,
      array_agg(DISTINCT e.provider ORDER BY e.provider) AS providers,
      array_agg(DISTINCT e.model ORDER BY e.model) AS models,
      array_agg(DISTINCT COALESCE(e.client, 'Unknown') ORDER BY COALESCE(e.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE e.thread_root_id IS NULL) AS threads,
      COALESCE(sum(t.input_tokens), 0) AS input_tokens, COALESCE(sum(t.output_tokens), 0) AS output_tokens,
      COALESCE(sum(t.cache_read_input_tokens), 0) AS cache_read_input_tokens,
      COALESCE(sum(t.cache_write_input_tokens), 0) AS cache_write_input_tokens,
      array_agg(e.id) AS ids
    FROM ${justEnded('e', SAME_KEY)}
${tokenSumsOf('e')}
    GROUP BY e.session_id, e.initiator_id
  ) a
  LEFT JOIN LATERAL (
    SELECT p.prompt, p.created_at, p.id FROM aibridge_user_prompts p
    WHERE p.interception_id = ANY(a.ids) ORDER BY p.created_at DESC, p.id DESC LIMIT 1
  ) p ON TRUE
  ORDER BY a.session_id, a.initiator_id
  ON CONFLICT (session_id, initiator_id) DO UPDATE SET ${MERGE}`;

/** The interceptions' summary trigger function: as before, but ending adds from new_rows. */
export const SUMMARIZE_FROM_TRANSITION = interceptionsSummarize(
  'CREATE OR REPLACE FUNCTION',
  ADD_ENDED_TO_SESSIONS,
);

/** The interceptions' rollup trigger function: as before, but ending adds from new_rows. */
export const ROLL_UP_FROM_TRANSITION = `CREATE OR REPLACE FUNCTION aibridge_interceptions_roll_up()
   RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_hours timestamptz[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       INSERT INTO aibridge_usage_hourly AS u (${USAGE_COLUMNS}) ${aggregate('TRUE', justEnded('i'))}
       ON CONFLICT (${KEY}) DO UPDATE SET ${ADD};
       -- Re-keyed or un-ended rows (rare): their hours are recomputed whole.
       v_hours := ARRAY(
         SELECT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND ${ROLLED_UP}
         UNION
         SELECT date_trunc('hour', n.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND n.ended_at IS NOT NULL AND ${ROLLED_UP});
       IF cardinality(v_hours) > 0 THEN PERFORM aibridge_usage_hourly_refresh(v_hours); END IF;
     ELSE
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT DISTINCT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o WHERE o.ended_at IS NOT NULL));
     END IF;
     RETURN NULL;
   END $$`;

/**
 * Functions whose statements aggregate rows found through indexes: planned on every call
 * (`plan_cache_mode = force_custom_plan`), so the plan always fits the tables as they are now
 * and the batch at hand. Three calls per recorder batch; planning them costs well under the
 * sequential scans a stale plan grows into.
 */
export const PLANNED_PER_CALL = [
  'aibridge_interceptions_summarize()',
  'aibridge_interceptions_roll_up()',
  'aibridge_token_usages_roll_up()',
  'aibridge_interception_inserted()',
  'aibridge_interception_rolled_up()',
  'aibridge_sessions_refresh(uuid[], text[])',
  'aibridge_sessions_add(uuid[])',
  'aibridge_usage_hourly_add(uuid[])',
  'aibridge_usage_hourly_refresh(timestamptz[])',
];

/**
 * Functions that only look rows up by key (the token and prompt summary triggers, which on the
 * recorder's path just check that their interceptions were ended by the same statement): their
 * plans are kept, and may only use index lookups in nested loops, right at any table size.
 */
export const INDEX_LOOKUPS_ONLY = ['aibridge_token_usages_summarize()', 'aibridge_user_prompts_summarize()'];

/** The planner settings each group of functions runs with. */
export const FUNCTION_SETTINGS: Array<[readonly string[], string[]]> = [
  [PLANNED_PER_CALL, ['plan_cache_mode = force_custom_plan']],
  [INDEX_LOOKUPS_ONLY, ['enable_seqscan = off', 'enable_hashjoin = off', 'enable_mergejoin = off']],
];
