import { type Kysely, sql } from 'kysely';

/**
 * Cheaper summary and rollup maintenance on the recorder's hot path: the `ended_at` update
 * folds the interceptions it ends into the session summaries and the hourly usage rollup
 * straight from the statement's transition table, instead of passing their ids to a function
 * that reads them back from `aibridge_interceptions`. And the trigger functions get planner
 * settings that keep their plans right as the tables grow. Same results as before; the
 * equivalence tests of both read models cover it.
 *
 * Why the settings: PL/pgSQL plans a statement once per connection and keeps the plan. On a
 * new database it does so while the tables hold a handful of rows, so sequential scans and
 * hash joins look cheapest, and they stay in the cached plan while the tables grow, until
 * autovacuum's first ANALYZE a minute or more later. Measured on the recorder benchmark: one
 * summary call per batch took 15 ms instead of ~1.5 ms, and throughput sustained over 45 s
 * was 3.2k/s with kept plans, 3.4k/s with only sequential scans disabled, 5.3k/s planned per
 * call. Planning per call costs ~0.5 ms a function, which at one request at a time is paid
 * by every few requests, so only the functions that aggregate are planned per call.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 * The statements are written out exactly as they first ran, when they were generated from
 * shared SQL fragments: hence the odd indentation and the `AND TRUE` left where an empty
 * filter was spliced in. Function bodies are stored as sent, so their text stays as it was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  // The interceptions' summary trigger function, in full: as before, but the rows an UPDATE
  // ended are merged into their sessions from new_rows (one delta row per session: the same
  // values the plain per-session aggregate gives for those interceptions), their token rows and
  // prompts found through their interception_id indexes.
  `CREATE OR REPLACE FUNCTION aibridge_interceptions_summarize() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id)
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
    FROM (SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL AND NOT ((o.session_id, o.initiator_id) IS DISTINCT FROM (n.session_id, n.initiator_id))) e
  LEFT JOIN LATERAL (
    SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_token_usages t WHERE t.interception_id = e.id
  ) t ON TRUE
    GROUP BY e.session_id, e.initiator_id
  ) a
  LEFT JOIN LATERAL (
    SELECT p.prompt, p.created_at, p.id FROM aibridge_user_prompts p
    WHERE p.interception_id = ANY(a.ids) ORDER BY p.created_at DESC, p.id DESC LIMIT 1
  ) p ON TRUE
  ORDER BY a.session_id, a.initiator_id
  ON CONFLICT (session_id, initiator_id) DO UPDATE SET 
  started_at = LEAST(s.started_at, EXCLUDED.started_at),
  ended_at = GREATEST(s.ended_at, EXCLUDED.ended_at),
  last_active_at = GREATEST(s.last_active_at, EXCLUDED.last_active_at),
  first_interception_id = CASE WHEN (EXCLUDED.started_at, EXCLUDED.first_interception_id) < (s.started_at, s.first_interception_id) THEN EXCLUDED.first_interception_id ELSE s.first_interception_id END,
  client = CASE WHEN (EXCLUDED.started_at, EXCLUDED.first_interception_id) < (s.started_at, s.first_interception_id) THEN EXCLUDED.client ELSE s.client END,
  metadata = CASE WHEN (EXCLUDED.started_at, EXCLUDED.first_interception_id) < (s.started_at, s.first_interception_id) THEN EXCLUDED.metadata ELSE s.metadata END,
  providers = ARRAY(SELECT DISTINCT v FROM unnest(s.providers || EXCLUDED.providers) v ORDER BY v),
  models = ARRAY(SELECT DISTINCT v FROM unnest(s.models || EXCLUDED.models) v ORDER BY v),
  clients = ARRAY(SELECT DISTINCT v FROM unnest(s.clients || EXCLUDED.clients) v ORDER BY v),
  interceptions = s.interceptions + EXCLUDED.interceptions,
  threads = s.threads + EXCLUDED.threads,
  input_tokens = s.input_tokens + EXCLUDED.input_tokens,
  output_tokens = s.output_tokens + EXCLUDED.output_tokens,
  cache_read_input_tokens = s.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
  cache_write_input_tokens = s.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens,
  last_prompt = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt ELSE s.last_prompt END,
  last_prompt_at = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_at ELSE s.last_prompt_at END,
  last_prompt_id = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_id ELSE s.last_prompt_id END;
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT o.initiator_id, o.session_id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND (o.session_id, o.initiator_id, o.started_at, o.ended_at, o.provider, o.model, o.client,
  o.thread_root_id, o.metadata) IS DISTINCT FROM (n.session_id, n.initiator_id, n.started_at, n.ended_at,
  n.provider, n.model, n.client, n.thread_root_id, n.metadata)
         UNION
         SELECT n.initiator_id, n.session_id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE n.ended_at IS NOT NULL AND (o.session_id, o.initiator_id, o.started_at, o.ended_at, o.provider, o.model, o.client,
  o.thread_root_id, o.metadata) IS DISTINCT FROM (n.session_id, n.initiator_id, n.started_at, n.ended_at,
  n.provider, n.model, n.client, n.thread_root_id, n.metadata)
           AND (o.ended_at IS NOT NULL OR (o.session_id, o.initiator_id) IS DISTINCT FROM (n.session_id, n.initiator_id))
       ) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
       INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, interceptions)
    SELECT x.initiator_id, x.facet, x.value, sum(x.d) FROM (SELECT r.initiator_id, f.facet, f.value, 1 AS d FROM new_rows r
   CROSS JOIN LATERAL aibridge_interception_facets(r.provider, r.model, r.client) f WHERE r.ended_at IS NOT NULL UNION ALL SELECT r.initiator_id, f.facet, f.value, -1 AS d FROM old_rows r
   CROSS JOIN LATERAL aibridge_interception_facets(r.provider, r.model, r.client) f WHERE r.ended_at IS NOT NULL) x
    GROUP BY x.facet, x.value, x.initiator_id HAVING sum(x.d) <> 0
    ORDER BY x.facet, x.value, x.initiator_id
    ON CONFLICT (facet, value, initiator_id) DO UPDATE SET interceptions = c.interceptions + EXCLUDED.interceptions;
     ELSE
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT o.initiator_id, o.session_id FROM old_rows o WHERE o.ended_at IS NOT NULL) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
       INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, interceptions)
    SELECT x.initiator_id, x.facet, x.value, sum(x.d) FROM (SELECT r.initiator_id, f.facet, f.value, -1 AS d FROM old_rows r
   CROSS JOIN LATERAL aibridge_interception_facets(r.provider, r.model, r.client) f WHERE r.ended_at IS NOT NULL) x
    GROUP BY x.facet, x.value, x.initiator_id HAVING sum(x.d) <> 0
    ORDER BY x.facet, x.value, x.initiator_id
    ON CONFLICT (facet, value, initiator_id) DO UPDATE SET interceptions = c.interceptions + EXCLUDED.interceptions;
     END IF;
     RETURN NULL;
   END $$`,

  // The interceptions' rollup trigger function, in full: as before, but ending adds from new_rows.
  `CREATE OR REPLACE FUNCTION aibridge_interceptions_roll_up()
   RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_hours timestamptz[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       INSERT INTO aibridge_usage_hourly AS u (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens) 
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0)
  FROM (SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL AND TRUE) i
  LEFT JOIN LATERAL (
    SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_token_usages t WHERE t.interception_id = i.id
  ) t ON TRUE
  WHERE i.ended_at IS NOT NULL AND TRUE
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (hour, initiator_id, provider, model, client) DO UPDATE SET interceptions = u.interceptions + EXCLUDED.interceptions,
  input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
  cache_read_input_tokens = u.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
  cache_write_input_tokens = u.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens;
       -- Re-keyed or un-ended rows (rare): their hours are recomputed whole.
       v_hours := ARRAY(
         SELECT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND (o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL)
         UNION
         SELECT date_trunc('hour', n.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND n.ended_at IS NOT NULL AND (o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL));
       IF cardinality(v_hours) > 0 THEN PERFORM aibridge_usage_hourly_refresh(v_hours); END IF;
     ELSE
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT DISTINCT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o WHERE o.ended_at IS NOT NULL));
     END IF;
     RETURN NULL;
   END $$`,

  // Functions whose statements aggregate rows found through indexes: planned on every call, so
  // the plan always fits the tables as they are now and the batch at hand. Three calls per
  // recorder batch; planning them costs well under the sequential scans a stale plan grows into.
  `ALTER FUNCTION aibridge_interceptions_summarize() SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_interceptions_roll_up() SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_token_usages_roll_up() SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_interception_inserted() SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_interception_rolled_up() SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_sessions_refresh(uuid[], text[]) SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_sessions_add(uuid[]) SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_usage_hourly_add(uuid[]) SET plan_cache_mode = force_custom_plan`,
  `ALTER FUNCTION aibridge_usage_hourly_refresh(timestamptz[]) SET plan_cache_mode = force_custom_plan`,

  // Functions that only look rows up by key (the token and prompt summary triggers, which on the
  // recorder's path just check that their interceptions were ended by the same statement): their
  // plans are kept, and may only use index lookups in nested loops, right at any table size.
  `ALTER FUNCTION aibridge_token_usages_summarize() SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off`,
  `ALTER FUNCTION aibridge_user_prompts_summarize() SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off`,
];
