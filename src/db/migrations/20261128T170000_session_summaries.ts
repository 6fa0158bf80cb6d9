import { type Kysely, sql } from 'kysely';

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
 * (20261128T210000 redefines aibridge_interceptions_summarize() and sets planner options on
 * these functions; src/db/schema.sql shows their current definitions.)
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
  // One summary row per (session, initiator), over the session's ended interceptions.
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

  // Per initiator and facet ('' = all, or a provider, model or client value): how many
  // sessions and ended interceptions it has.
  `CREATE TABLE aibridge_activity_counts (
      initiator_id uuid NOT NULL,
      facet text NOT NULL,
      value text NOT NULL,
      sessions bigint NOT NULL DEFAULT 0,
      interceptions bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (facet, value, initiator_id)
    )`,

  // Facet rows an interception or a session counts under: all, and each provider/model/client.
  `CREATE FUNCTION aibridge_interception_facets(p text, m text, c text)
   RETURNS TABLE (facet text, value text) LANGUAGE sql IMMUTABLE AS $$
     SELECT '', '' UNION ALL SELECT 'provider', p UNION ALL SELECT 'model', m
     UNION ALL SELECT 'client', COALESCE(c, 'Unknown')
   $$`,
  `CREATE FUNCTION aibridge_session_facets(p text[], m text[], c text[])
   RETURNS TABLE (facet text, value text) LANGUAGE sql IMMUTABLE AS $$
     SELECT '', '' UNION ALL SELECT 'provider', unnest(p) UNION ALL SELECT 'model', unnest(m)
     UNION ALL SELECT 'client', unnest(c)
   $$`,

  // Recomputes some sessions from their interceptions (keys as two parallel arrays), or all of
  // them (NULL): one summary row per session over its ended interceptions, with their token sums
  // and newest prompt, exactly what the plain per-request query computed. Sessions left without
  // an ended interception are deleted.
  `CREATE FUNCTION aibridge_sessions_refresh(p_initiators uuid[], p_sessions text[])
   RETURNS void LANGUAGE plpgsql AS $$
   BEGIN
     IF p_initiators IS NULL THEN
       INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id) 
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    f.client, f.metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    COALESCE(t.input_tokens, 0), COALESCE(t.output_tokens, 0),
    COALESCE(t.cache_read_input_tokens, 0), COALESCE(t.cache_write_input_tokens, 0),
    p.prompt, p.created_at, p.id
  FROM (
    SELECT i.session_id, i.initiator_id, min(i.started_at) AS started_at, max(i.ended_at) AS ended_at,
      max(i.started_at) AS last_active_at, (array_agg(i.id ORDER BY i.started_at, i.id))[1] AS first_id,
      array_agg(DISTINCT i.provider ORDER BY i.provider) AS providers,
      array_agg(DISTINCT i.model ORDER BY i.model) AS models,
      array_agg(DISTINCT COALESCE(i.client, 'Unknown') ORDER BY COALESCE(i.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE i.thread_root_id IS NULL) AS threads
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
       ON CONFLICT (session_id, initiator_id) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, last_active_at = EXCLUDED.last_active_at, first_interception_id = EXCLUDED.first_interception_id, client = EXCLUDED.client, metadata = EXCLUDED.metadata, providers = EXCLUDED.providers, models = EXCLUDED.models, clients = EXCLUDED.clients, interceptions = EXCLUDED.interceptions, threads = EXCLUDED.threads, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cache_read_input_tokens = EXCLUDED.cache_read_input_tokens, cache_write_input_tokens = EXCLUDED.cache_write_input_tokens, last_prompt = EXCLUDED.last_prompt, last_prompt_at = EXCLUDED.last_prompt_at, last_prompt_id = EXCLUDED.last_prompt_id;
       RETURN;
     END IF;
     DELETE FROM aibridge_sessions s
     USING unnest(p_initiators, p_sessions) AS k(i, s)
     WHERE s.session_id = k.s AND s.initiator_id = k.i AND NOT EXISTS (
       SELECT 1 FROM aibridge_interceptions i
       WHERE i.session_id = k.s AND i.initiator_id = k.i AND i.ended_at IS NOT NULL);
     INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id) 
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    f.client, f.metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    COALESCE(t.input_tokens, 0), COALESCE(t.output_tokens, 0),
    COALESCE(t.cache_read_input_tokens, 0), COALESCE(t.cache_write_input_tokens, 0),
    p.prompt, p.created_at, p.id
  FROM (
    SELECT i.session_id, i.initiator_id, min(i.started_at) AS started_at, max(i.ended_at) AS ended_at,
      max(i.started_at) AS last_active_at, (array_agg(i.id ORDER BY i.started_at, i.id))[1] AS first_id,
      array_agg(DISTINCT i.provider ORDER BY i.provider) AS providers,
      array_agg(DISTINCT i.model ORDER BY i.model) AS models,
      array_agg(DISTINCT COALESCE(i.client, 'Unknown') ORDER BY COALESCE(i.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE i.thread_root_id IS NULL) AS threads
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
     ON CONFLICT (session_id, initiator_id) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, last_active_at = EXCLUDED.last_active_at, first_interception_id = EXCLUDED.first_interception_id, client = EXCLUDED.client, metadata = EXCLUDED.metadata, providers = EXCLUDED.providers, models = EXCLUDED.models, clients = EXCLUDED.clients, interceptions = EXCLUDED.interceptions, threads = EXCLUDED.threads, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cache_read_input_tokens = EXCLUDED.cache_read_input_tokens, cache_write_input_tokens = EXCLUDED.cache_write_input_tokens, last_prompt = EXCLUDED.last_prompt, last_prompt_at = EXCLUDED.last_prompt_at, last_prompt_id = EXCLUDED.last_prompt_id;
   END $$`,

  // Folds some interceptions into their sessions: a delta row per session (its token and prompt
  // rows found through their interception_id indexes) merged into the existing summary: earliest
  // start and first interception, latest activity, union of the value lists, sums, newest prompt.
  `CREATE FUNCTION aibridge_sessions_add(p_ids uuid[])
   RETURNS void LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO aibridge_sessions AS s (session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id) 
  SELECT a.session_id, a.initiator_id, a.started_at, a.ended_at, a.last_active_at, a.first_id,
    f.client, f.metadata, a.providers, a.models, a.clients, a.interceptions, a.threads,
    COALESCE(t.input_tokens, 0), COALESCE(t.output_tokens, 0),
    COALESCE(t.cache_read_input_tokens, 0), COALESCE(t.cache_write_input_tokens, 0),
    p.prompt, p.created_at, p.id
  FROM (
    SELECT i.session_id, i.initiator_id, min(i.started_at) AS started_at, max(i.ended_at) AS ended_at,
      max(i.started_at) AS last_active_at, (array_agg(i.id ORDER BY i.started_at, i.id))[1] AS first_id,
      array_agg(DISTINCT i.provider ORDER BY i.provider) AS providers,
      array_agg(DISTINCT i.model ORDER BY i.model) AS models,
      array_agg(DISTINCT COALESCE(i.client, 'Unknown') ORDER BY COALESCE(i.client, 'Unknown')) AS clients,
      count(*) AS interceptions, count(*) FILTER (WHERE i.thread_root_id IS NULL) AS threads
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
  last_prompt = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt ELSE s.last_prompt END,
  last_prompt_at = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_at ELSE s.last_prompt_at END,
  last_prompt_id = CASE WHEN (EXCLUDED.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (EXCLUDED.last_prompt_at, EXCLUDED.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id))) THEN EXCLUDED.last_prompt_id ELSE s.last_prompt_id END;
   END $$`,

  // Backfill: the summaries, then the counters of interceptions and of sessions.
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

  // The sessions list (everyone's, and one person's), newest activity first; the date-range
  // filter on a session's span.
  `CREATE INDEX aibridge_sessions_activity_idx
      ON aibridge_sessions (last_active_at DESC, session_id DESC, initiator_id DESC)`,
  `CREATE INDEX aibridge_sessions_initiator_activity_idx
      ON aibridge_sessions (initiator_id, last_active_at DESC, session_id DESC)`,
  `CREATE INDEX aibridge_sessions_span_idx
      ON aibridge_sessions USING gist (tstzrange(started_at, last_active_at, '[]'))`,

  // Session counters follow the summary rows themselves: an UPDATE counts only the summaries
  // whose value lists changed (the others net to zero).
  `CREATE FUNCTION aibridge_sessions_count() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, sessions)
    SELECT x.initiator_id, x.facet, x.value, sum(x.d) FROM (SELECT r.initiator_id, f.facet, f.value, 1 AS d FROM new_rows r
   CROSS JOIN LATERAL aibridge_session_facets(r.providers, r.models, r.clients) f) x
    GROUP BY x.facet, x.value, x.initiator_id HAVING sum(x.d) <> 0
    ORDER BY x.facet, x.value, x.initiator_id
    ON CONFLICT (facet, value, initiator_id) DO UPDATE SET sessions = c.sessions + EXCLUDED.sessions;
     ELSIF TG_OP = 'UPDATE' THEN
       INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, sessions)
    SELECT x.initiator_id, x.facet, x.value, sum(x.d) FROM (SELECT r.initiator_id, f.facet, f.value, 1 AS d FROM new_rows r
   JOIN old_rows x ON x.session_id = r.session_id AND x.initiator_id = r.initiator_id
     AND (x.providers, x.models, x.clients) IS DISTINCT FROM (r.providers, r.models, r.clients)
   CROSS JOIN LATERAL aibridge_session_facets(r.providers, r.models, r.clients) f UNION ALL SELECT r.initiator_id, f.facet, f.value, -1 AS d FROM old_rows r
   JOIN new_rows x ON x.session_id = r.session_id AND x.initiator_id = r.initiator_id
     AND (x.providers, x.models, x.clients) IS DISTINCT FROM (r.providers, r.models, r.clients)
   CROSS JOIN LATERAL aibridge_session_facets(r.providers, r.models, r.clients) f) x
    GROUP BY x.facet, x.value, x.initiator_id HAVING sum(x.d) <> 0
    ORDER BY x.facet, x.value, x.initiator_id
    ON CONFLICT (facet, value, initiator_id) DO UPDATE SET sessions = c.sessions + EXCLUDED.sessions;
     ELSE
       INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, sessions)
    SELECT x.initiator_id, x.facet, x.value, sum(x.d) FROM (SELECT r.initiator_id, f.facet, f.value, -1 AS d FROM old_rows r
   CROSS JOIN LATERAL aibridge_session_facets(r.providers, r.models, r.clients) f) x
    GROUP BY x.facet, x.value, x.initiator_id HAVING sum(x.d) <> 0
    ORDER BY x.facet, x.value, x.initiator_id
    ON CONFLICT (facet, value, initiator_id) DO UPDATE SET sessions = c.sessions + EXCLUDED.sessions;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER aibridge_sessions_count_insert AFTER INSERT ON aibridge_sessions
   REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_sessions_count()`,
  `CREATE TRIGGER aibridge_sessions_count_update AFTER UPDATE ON aibridge_sessions
   REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_sessions_count()`,
  `CREATE TRIGGER aibridge_sessions_count_delete AFTER DELETE ON aibridge_sessions
   REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_sessions_count()`,

  // Interceptions: ending one (the recorder's UPDATE) adds it to its session incrementally; any
  // other change to an ended row, or deleting one, recomputes its sessions from scratch (rare:
  // retention and repairs). Counters follow every change.
  `CREATE FUNCTION aibridge_interceptions_summarize() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       PERFORM aibridge_sessions_add(ARRAY(
         SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL AND NOT (
           (o.session_id, o.initiator_id) IS DISTINCT FROM (n.session_id, n.initiator_id))));
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

  // An INSERT of an ended row adds it at once. The recorder inserts interceptions unended: a row
  // trigger whose WHEN is false costs nothing per start, where a statement trigger would run on
  // every (synchronous) start.
  `CREATE FUNCTION aibridge_interception_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM aibridge_sessions_add(ARRAY[NEW.id]);
     INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, interceptions)
     SELECT NEW.initiator_id, f.facet, f.value, 1 FROM aibridge_interception_facets(NEW.provider, NEW.model, NEW.client) f
     ORDER BY f.facet, f.value
     ON CONFLICT (facet, value, initiator_id) DO UPDATE SET interceptions = c.interceptions + 1;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER aibridge_interceptions_summary_insert AFTER INSERT ON aibridge_interceptions
   FOR EACH ROW WHEN (NEW.ended_at IS NOT NULL) EXECUTE FUNCTION aibridge_interception_inserted()`,
  `CREATE TRIGGER aibridge_interceptions_summary_update AFTER UPDATE ON aibridge_interceptions
   REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_interceptions_summarize()`,
  `CREATE TRIGGER aibridge_interceptions_summary_delete AFTER DELETE ON aibridge_interceptions
   REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_interceptions_summarize()`,

  // Token rows and prompts of an interception that was already ended add to its session. Those
  // written by the very statement that ended it (the recorder writes a batch's records and its
  // ends in one statement) were already counted by the interception's trigger, which sees every
  // row of the statement: they are recognised by the interception's row version having been
  // written by this statement (same xmin and cmin as the new rows). Updates and deletes of
  // these rows recompute the sessions they belong to.
  `CREATE FUNCTION aibridge_token_usages_summarize() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_xmin xid;
     v_cmin cid;
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'INSERT' THEN
       SELECT r.xmin, r.cmin INTO v_xmin, v_cmin FROM aibridge_token_usages r WHERE r.id = (SELECT n.id FROM new_rows n LIMIT 1);
       IF EXISTS (SELECT 1 FROM aibridge_interceptions i
                  WHERE i.id IN (SELECT n.interception_id FROM new_rows n) AND i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)) THEN
         UPDATE aibridge_sessions s SET
    input_tokens = s.input_tokens + d.input_tokens, output_tokens = s.output_tokens + d.output_tokens,
    cache_read_input_tokens = s.cache_read_input_tokens + d.cache_read_input_tokens,
    cache_write_input_tokens = s.cache_write_input_tokens + d.cache_write_input_tokens
  FROM (
    SELECT i.session_id, i.initiator_id, sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM new_rows t JOIN aibridge_interceptions i ON i.id = t.interception_id
    WHERE i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)
    GROUP BY i.session_id, i.initiator_id ORDER BY i.session_id, i.initiator_id
  ) d
  WHERE s.session_id = d.session_id AND s.initiator_id = d.initiator_id;
       END IF;
     ELSIF TG_OP = 'UPDATE' THEN
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT i.initiator_id, i.session_id FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (SELECT o.interception_id FROM old_rows o UNION SELECT n.interception_id FROM new_rows n)) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
     ELSE
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT i.initiator_id, i.session_id FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (SELECT o.interception_id FROM old_rows o)) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE FUNCTION aibridge_user_prompts_summarize() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_xmin xid;
     v_cmin cid;
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'INSERT' THEN
       SELECT r.xmin, r.cmin INTO v_xmin, v_cmin FROM aibridge_user_prompts r WHERE r.id = (SELECT n.id FROM new_rows n LIMIT 1);
       IF EXISTS (SELECT 1 FROM aibridge_interceptions i
                  WHERE i.id IN (SELECT n.interception_id FROM new_rows n) AND i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)) THEN
         UPDATE aibridge_sessions s SET
    last_prompt = d.last_prompt, last_prompt_at = d.last_prompt_at, last_prompt_id = d.last_prompt_id
  FROM (
    SELECT DISTINCT ON (i.session_id, i.initiator_id) i.session_id, i.initiator_id,
      p.prompt AS last_prompt, p.created_at AS last_prompt_at, p.id AS last_prompt_id
    FROM new_rows p JOIN aibridge_interceptions i ON i.id = p.interception_id
    WHERE i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)
    ORDER BY i.session_id, i.initiator_id, p.created_at DESC, p.id DESC
  ) d
  WHERE s.session_id = d.session_id AND s.initiator_id = d.initiator_id AND (d.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (d.last_prompt_at, d.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id)));
       END IF;
     ELSIF TG_OP = 'UPDATE' THEN
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT i.initiator_id, i.session_id FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (SELECT o.interception_id FROM old_rows o UNION SELECT n.interception_id FROM new_rows n)) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
     ELSE
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT i.initiator_id, i.session_id FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (SELECT o.interception_id FROM old_rows o)) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER aibridge_token_usages_summary_insert AFTER INSERT ON aibridge_token_usages
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_token_usages_summarize()`,
  `CREATE TRIGGER aibridge_token_usages_summary_change AFTER DELETE ON aibridge_token_usages
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_token_usages_summarize()`,
  `CREATE TRIGGER aibridge_token_usages_summary_update AFTER UPDATE ON aibridge_token_usages
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_token_usages_summarize()`,
  `CREATE TRIGGER aibridge_user_prompts_summary_insert AFTER INSERT ON aibridge_user_prompts
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_user_prompts_summarize()`,
  `CREATE TRIGGER aibridge_user_prompts_summary_change AFTER DELETE ON aibridge_user_prompts
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_user_prompts_summarize()`,
  `CREATE TRIGGER aibridge_user_prompts_summary_update AFTER UPDATE ON aibridge_user_prompts
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_user_prompts_summarize()`,

  // Fresh statistics, so the first lists are planned for the backfilled sizes.
  `ANALYZE aibridge_sessions`,
  `ANALYZE aibridge_activity_counts`,
];
