import { type Kysely, sql } from 'kysely';

/**
 * Cost: each token-usage row gets its cost in integer micro-dollars and the rate snapshot it
 * was computed with (`price`), each interception the sum of its rows (`cost_micros`, NULL when
 * its model had no price), and the session summaries and the hourly usage rollup a cost sum
 * and a count of unpriced interceptions. The recorder sets an interception's cost in the same
 * statement that sets its `ended_at`, so the summary triggers fold it in from the transition
 * table; a later change of an ended interception's cost (an owner's recalculation) recomputes
 * its sessions and hours, like any other change to an ended row. The six functions that write
 * those sums are redefined whole. Interceptions recorded before this migration have no cost,
 * so the summaries count them as unpriced.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). Each statement is sent on its own, exactly as written (PGlite takes one
 * statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `ALTER TABLE aibridge_token_usages ADD COLUMN cost_micros bigint, ADD COLUMN price jsonb`,
  `ALTER TABLE aibridge_interceptions ADD COLUMN cost_micros bigint`,
  `ALTER TABLE aibridge_sessions ADD COLUMN cost_micros bigint DEFAULT 0 NOT NULL, ADD COLUMN unpriced_interceptions bigint DEFAULT 0 NOT NULL`,
  `ALTER TABLE aibridge_usage_hourly ADD COLUMN cost_micros bigint DEFAULT 0 NOT NULL, ADD COLUMN unpriced_interceptions bigint DEFAULT 0 NOT NULL`,
  `CREATE OR REPLACE FUNCTION aibridge_sessions_add(p_ids uuid[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
   BEGIN
     INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id, cost_micros,
  unpriced_interceptions) 
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    f.client, f.metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    COALESCE(t.input_tokens, 0), COALESCE(t.output_tokens, 0),
    COALESCE(t.cache_read_input_tokens, 0), COALESCE(t.cache_write_input_tokens, 0),
    p.prompt, p.created_at, p.id, a.cost_micros, a.unpriced
  FROM (
    SELECT i.session_id, i.initiator_id, min(i.started_at) AS started_at, max(i.ended_at) AS ended_at,
      max(i.started_at) AS last_active_at, (array_agg(i.id ORDER BY i.started_at, i.id))[1] AS first_id,
      array_agg(DISTINCT i.provider ORDER BY i.provider) AS providers,
      array_agg(DISTINCT i.model ORDER BY i.model) AS models,
      array_agg(DISTINCT COALESCE(i.client, 'Unknown') ORDER BY COALESCE(i.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE i.thread_root_id IS NULL) AS threads,
      COALESCE(sum(i.cost_micros), 0) AS cost_micros, count(*) FILTER (WHERE i.cost_micros IS NULL) AS unpriced
    FROM aibridge_interceptions i WHERE i.ended_at IS NOT NULL AND i.id = ANY(p_ids)
    GROUP BY i.session_id, i.initiator_id
  ) a
  JOIN aibridge_interceptions f ON f.id = a.first_id
  LEFT JOIN (
    SELECT i.session_id, i.initiator_id, sum(t.input_tokens) AS input_tokens,
      sum(t.output_tokens) AS output_tokens, sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND i.id = ANY(p_ids) AND t.interception_id = ANY(p_ids)
    GROUP BY i.session_id, i.initiator_id
  ) t ON t.session_id = a.session_id AND t.initiator_id = a.initiator_id
  LEFT JOIN (
    SELECT DISTINCT ON (i.session_id, i.initiator_id) i.session_id, i.initiator_id, p.prompt, p.created_at, p.id
    FROM aibridge_interceptions i JOIN aibridge_user_prompts p ON p.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND i.id = ANY(p_ids) AND p.interception_id = ANY(p_ids)
    ORDER BY i.session_id, i.initiator_id, p.created_at DESC, p.id DESC
  ) p ON p.session_id = a.session_id AND p.initiator_id = a.initiator_id
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
  cost_micros = s.cost_micros + EXCLUDED.cost_micros,
  unpriced_interceptions = s.unpriced_interceptions + EXCLUDED.unpriced_interceptions,
  last_prompt = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt ELSE s.last_prompt END,
  last_prompt_at = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_at ELSE s.last_prompt_at END,
  last_prompt_id = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_id ELSE s.last_prompt_id END;
   END $function$`,
  `CREATE OR REPLACE FUNCTION aibridge_sessions_refresh(p_initiators uuid[], p_sessions text[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
   BEGIN
     IF p_initiators IS NULL THEN
       INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id, cost_micros,
  unpriced_interceptions) 
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    f.client, f.metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    COALESCE(t.input_tokens, 0), COALESCE(t.output_tokens, 0),
    COALESCE(t.cache_read_input_tokens, 0), COALESCE(t.cache_write_input_tokens, 0),
    p.prompt, p.created_at, p.id, a.cost_micros, a.unpriced
  FROM (
    SELECT i.session_id, i.initiator_id, min(i.started_at) AS started_at, max(i.ended_at) AS ended_at,
      max(i.started_at) AS last_active_at, (array_agg(i.id ORDER BY i.started_at, i.id))[1] AS first_id,
      array_agg(DISTINCT i.provider ORDER BY i.provider) AS providers,
      array_agg(DISTINCT i.model ORDER BY i.model) AS models,
      array_agg(DISTINCT COALESCE(i.client, 'Unknown') ORDER BY COALESCE(i.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE i.thread_root_id IS NULL) AS threads,
      COALESCE(sum(i.cost_micros), 0) AS cost_micros, count(*) FILTER (WHERE i.cost_micros IS NULL) AS unpriced
    FROM aibridge_interceptions i WHERE i.ended_at IS NOT NULL AND TRUE
    GROUP BY i.session_id, i.initiator_id
  ) a
  JOIN aibridge_interceptions f ON f.id = a.first_id
  LEFT JOIN (
    SELECT i.session_id, i.initiator_id, sum(t.input_tokens) AS input_tokens,
      sum(t.output_tokens) AS output_tokens, sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND TRUE AND TRUE
    GROUP BY i.session_id, i.initiator_id
  ) t ON t.session_id = a.session_id AND t.initiator_id = a.initiator_id
  LEFT JOIN (
    SELECT DISTINCT ON (i.session_id, i.initiator_id) i.session_id, i.initiator_id, p.prompt, p.created_at, p.id
    FROM aibridge_interceptions i JOIN aibridge_user_prompts p ON p.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND TRUE AND TRUE
    ORDER BY i.session_id, i.initiator_id, p.created_at DESC, p.id DESC
  ) p ON p.session_id = a.session_id AND p.initiator_id = a.initiator_id
  ORDER BY a.session_id, a.initiator_id
       ON CONFLICT (session_id, initiator_id) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, last_active_at = EXCLUDED.last_active_at, first_interception_id = EXCLUDED.first_interception_id, client = EXCLUDED.client, metadata = EXCLUDED.metadata, providers = EXCLUDED.providers, models = EXCLUDED.models, clients = EXCLUDED.clients, interceptions = EXCLUDED.interceptions, threads = EXCLUDED.threads, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cache_read_input_tokens = EXCLUDED.cache_read_input_tokens, cache_write_input_tokens = EXCLUDED.cache_write_input_tokens, last_prompt = EXCLUDED.last_prompt, last_prompt_at = EXCLUDED.last_prompt_at, last_prompt_id = EXCLUDED.last_prompt_id, cost_micros = EXCLUDED.cost_micros, unpriced_interceptions = EXCLUDED.unpriced_interceptions;
       RETURN;
     END IF;
     DELETE FROM aibridge_sessions s
     USING unnest(p_initiators, p_sessions) AS k(i, s)
     WHERE s.session_id = k.s AND s.initiator_id = k.i AND NOT EXISTS (
       SELECT 1 FROM aibridge_interceptions i
       WHERE i.session_id = k.s AND i.initiator_id = k.i AND i.ended_at IS NOT NULL);
     INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id, cost_micros,
  unpriced_interceptions) 
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    f.client, f.metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    COALESCE(t.input_tokens, 0), COALESCE(t.output_tokens, 0),
    COALESCE(t.cache_read_input_tokens, 0), COALESCE(t.cache_write_input_tokens, 0),
    p.prompt, p.created_at, p.id, a.cost_micros, a.unpriced
  FROM (
    SELECT i.session_id, i.initiator_id, min(i.started_at) AS started_at, max(i.ended_at) AS ended_at,
      max(i.started_at) AS last_active_at, (array_agg(i.id ORDER BY i.started_at, i.id))[1] AS first_id,
      array_agg(DISTINCT i.provider ORDER BY i.provider) AS providers,
      array_agg(DISTINCT i.model ORDER BY i.model) AS models,
      array_agg(DISTINCT COALESCE(i.client, 'Unknown') ORDER BY COALESCE(i.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE i.thread_root_id IS NULL) AS threads,
      COALESCE(sum(i.cost_micros), 0) AS cost_micros, count(*) FILTER (WHERE i.cost_micros IS NULL) AS unpriced
    FROM aibridge_interceptions i WHERE i.ended_at IS NOT NULL AND (i.session_id, i.initiator_id) IN (SELECT k.s, k.i FROM unnest(p_sessions, p_initiators) AS k(s, i))
    GROUP BY i.session_id, i.initiator_id
  ) a
  JOIN aibridge_interceptions f ON f.id = a.first_id
  LEFT JOIN (
    SELECT i.session_id, i.initiator_id, sum(t.input_tokens) AS input_tokens,
      sum(t.output_tokens) AS output_tokens, sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND (i.session_id, i.initiator_id) IN (SELECT k.s, k.i FROM unnest(p_sessions, p_initiators) AS k(s, i)) AND TRUE
    GROUP BY i.session_id, i.initiator_id
  ) t ON t.session_id = a.session_id AND t.initiator_id = a.initiator_id
  LEFT JOIN (
    SELECT DISTINCT ON (i.session_id, i.initiator_id) i.session_id, i.initiator_id, p.prompt, p.created_at, p.id
    FROM aibridge_interceptions i JOIN aibridge_user_prompts p ON p.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND (i.session_id, i.initiator_id) IN (SELECT k.s, k.i FROM unnest(p_sessions, p_initiators) AS k(s, i)) AND TRUE
    ORDER BY i.session_id, i.initiator_id, p.created_at DESC, p.id DESC
  ) p ON p.session_id = a.session_id AND p.initiator_id = a.initiator_id
  ORDER BY a.session_id, a.initiator_id
     ON CONFLICT (session_id, initiator_id) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, last_active_at = EXCLUDED.last_active_at, first_interception_id = EXCLUDED.first_interception_id, client = EXCLUDED.client, metadata = EXCLUDED.metadata, providers = EXCLUDED.providers, models = EXCLUDED.models, clients = EXCLUDED.clients, interceptions = EXCLUDED.interceptions, threads = EXCLUDED.threads, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cache_read_input_tokens = EXCLUDED.cache_read_input_tokens, cache_write_input_tokens = EXCLUDED.cache_write_input_tokens, last_prompt = EXCLUDED.last_prompt, last_prompt_at = EXCLUDED.last_prompt_at, last_prompt_id = EXCLUDED.last_prompt_id, cost_micros = EXCLUDED.cost_micros, unpriced_interceptions = EXCLUDED.unpriced_interceptions;
   END $function$`,
  `CREATE OR REPLACE FUNCTION aibridge_interceptions_summarize()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
   DECLARE
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id, cost_micros,
  unpriced_interceptions)
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    a.first_client, a.first_metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    a.input_tokens, a.output_tokens, a.cache_read_input_tokens, a.cache_write_input_tokens,
    p.prompt, p.created_at, p.id, a.cost_micros, a.unpriced
  FROM (
    SELECT e.session_id, e.initiator_id, min(e.started_at) AS started_at, max(e.ended_at) AS ended_at,
      max(e.started_at) AS last_active_at, (array_agg(e.id ORDER BY e.started_at, e.id))[1] AS first_id,
      (array_agg(e.client ORDER BY e.started_at, e.id))[1] AS first_client,
      (array_agg(e.metadata ORDER BY e.started_at, e.id))[1] AS first_metadata,
      array_agg(DISTINCT e.provider ORDER BY e.provider) AS providers,
      array_agg(DISTINCT e.model ORDER BY e.model) AS models,
      array_agg(DISTINCT COALESCE(e.client, 'Unknown') ORDER BY COALESCE(e.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE e.thread_root_id IS NULL) AS threads,
      COALESCE(sum(e.cost_micros), 0) AS cost_micros, count(*) FILTER (WHERE e.cost_micros IS NULL) AS unpriced,
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
  cost_micros = s.cost_micros + EXCLUDED.cost_micros,
  unpriced_interceptions = s.unpriced_interceptions + EXCLUDED.unpriced_interceptions,
  last_prompt = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt ELSE s.last_prompt END,
  last_prompt_at = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_at ELSE s.last_prompt_at END,
  last_prompt_id = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_id ELSE s.last_prompt_id END;
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT o.initiator_id, o.session_id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND (o.session_id, o.initiator_id, o.started_at, o.ended_at, o.provider, o.model, o.client,
  o.thread_root_id, o.metadata, o.cost_micros) IS DISTINCT FROM (n.session_id, n.initiator_id, n.started_at, n.ended_at,
  n.provider, n.model, n.client, n.thread_root_id, n.metadata, n.cost_micros)
         UNION
         SELECT n.initiator_id, n.session_id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE n.ended_at IS NOT NULL AND (o.session_id, o.initiator_id, o.started_at, o.ended_at, o.provider, o.model, o.client,
  o.thread_root_id, o.metadata, o.cost_micros) IS DISTINCT FROM (n.session_id, n.initiator_id, n.started_at, n.ended_at,
  n.provider, n.model, n.client, n.thread_root_id, n.metadata, n.cost_micros)
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
   END $function$`,
  `CREATE OR REPLACE FUNCTION aibridge_usage_hourly_add(p_ids uuid[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
   BEGIN
     INSERT INTO aibridge_usage_hourly AS u (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, cost_micros, unpriced_interceptions) 
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0),
    COALESCE(sum(i.cost_micros), 0), count(*) FILTER (WHERE i.cost_micros IS NULL)
  FROM aibridge_interceptions i
  LEFT JOIN LATERAL (
    SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_token_usages t WHERE t.interception_id = i.id
  ) t ON TRUE
  WHERE i.ended_at IS NOT NULL AND i.id = ANY(p_ids)
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
     ON CONFLICT (hour, initiator_id, provider, model, client) DO UPDATE SET interceptions = u.interceptions + EXCLUDED.interceptions,
  input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
  cache_read_input_tokens = u.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
  cache_write_input_tokens = u.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens,
  cost_micros = u.cost_micros + EXCLUDED.cost_micros,
  unpriced_interceptions = u.unpriced_interceptions + EXCLUDED.unpriced_interceptions;
   END $function$`,
  `CREATE OR REPLACE FUNCTION aibridge_usage_hourly_refresh(p_hours timestamp with time zone[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
   DECLARE
     v_hour timestamptz;
   BEGIN
     FOREACH v_hour IN ARRAY ARRAY(SELECT DISTINCT h FROM unnest(p_hours) h WHERE h IS NOT NULL ORDER BY h) LOOP
       DELETE FROM aibridge_usage_hourly u WHERE u.hour = v_hour;
       INSERT INTO aibridge_usage_hourly (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, cost_micros, unpriced_interceptions)
       
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0),
    COALESCE(sum(i.cost_micros), 0), count(*) FILTER (WHERE i.cost_micros IS NULL)
  FROM aibridge_interceptions i
  LEFT JOIN LATERAL (
    SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_token_usages t WHERE t.interception_id = i.id
  ) t ON TRUE
  WHERE i.ended_at IS NOT NULL AND i.started_at >= v_hour AND i.started_at < v_hour + interval '1 hour'
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
     END LOOP;
   END $function$`,
  `CREATE OR REPLACE FUNCTION aibridge_interceptions_roll_up()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
   DECLARE
     v_hours timestamptz[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       INSERT INTO aibridge_usage_hourly AS u (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, cost_micros, unpriced_interceptions) 
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0),
    COALESCE(sum(i.cost_micros), 0), count(*) FILTER (WHERE i.cost_micros IS NULL)
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
  cache_write_input_tokens = u.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens,
  cost_micros = u.cost_micros + EXCLUDED.cost_micros,
  unpriced_interceptions = u.unpriced_interceptions + EXCLUDED.unpriced_interceptions;
       -- Re-keyed or un-ended rows (rare): their hours are recomputed whole.
       v_hours := ARRAY(
         SELECT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND (o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL, o.cost_micros) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL, n.cost_micros)
         UNION
         SELECT date_trunc('hour', n.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND n.ended_at IS NOT NULL AND (o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL, o.cost_micros) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL, n.cost_micros));
       IF cardinality(v_hours) > 0 THEN PERFORM aibridge_usage_hourly_refresh(v_hours); END IF;
     ELSE
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT DISTINCT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o WHERE o.ended_at IS NOT NULL));
     END IF;
     RETURN NULL;
   END $function$`,
  `UPDATE aibridge_sessions SET unpriced_interceptions = interceptions WHERE interceptions > 0`,
  `UPDATE aibridge_usage_hourly SET unpriced_interceptions = interceptions WHERE interceptions > 0`,
];
