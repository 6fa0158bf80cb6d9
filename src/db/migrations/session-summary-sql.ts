/**
 * The SQL behind the session summaries (migration 20261128T170000): functions that fold ended
 * interceptions into `aibridge_sessions`, and the statement-level triggers that call them.
 * Kept apart from the migration so the one long aggregate is written once for both the
 * incremental and the full (backfill, repair) path.
 */

/** Summary columns, in the order the aggregates below produce them. */
export const COLUMNS = `session_id, initiator_id, started_at, ended_at, last_active_at, first_interception_id,
  client, metadata, providers, models, clients, interceptions, threads, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens, last_prompt, last_prompt_at, last_prompt_id`;

/**
 * One summary row per session over the ended interceptions selected by `where` (alias i), with
 * their token sums and newest prompt: exactly what the plain per-request query computed.
 * `childWhere` may repeat the selection on the token and prompt rows (alias given), so a few
 * interceptions' rows are found through their own interception_id index.
 */
function summarize(where: string, childWhere: (alias: string) => string = () => 'TRUE'): string {
  return `
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
    FROM aibridge_interceptions i WHERE i.ended_at IS NOT NULL AND ${where}
    GROUP BY i.session_id, i.initiator_id
  ) a
  JOIN aibridge_interceptions f ON f.id = a.first_id
  LEFT JOIN (
    SELECT i.session_id, i.initiator_id, sum(t.input_tokens) AS input_tokens,
      sum(t.output_tokens) AS output_tokens, sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND ${where} AND ${childWhere('t')}
    GROUP BY i.session_id, i.initiator_id
  ) t ON t.session_id = a.session_id AND t.initiator_id = a.initiator_id
  LEFT JOIN (
    SELECT DISTINCT ON (i.session_id, i.initiator_id) i.session_id, i.initiator_id, p.prompt, p.created_at, p.id
    FROM aibridge_interceptions i JOIN aibridge_user_prompts p ON p.interception_id = i.id
    WHERE i.ended_at IS NOT NULL AND ${where} AND ${childWhere('p')}
    ORDER BY i.session_id, i.initiator_id, p.created_at DESC, p.id DESC
  ) p ON p.session_id = a.session_id AND p.initiator_id = a.initiator_id
  ORDER BY a.session_id, a.initiator_id`;
}

const REPLACE_ALL = COLUMNS.split(',')
  .map((c) => c.trim())
  .filter((c) => c !== 'session_id' && c !== 'initiator_id')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

/** Merges a delta row (EXCLUDED: more interceptions of the same session) into a summary row. */
export const MERGE = `
  started_at = LEAST(s.started_at, EXCLUDED.started_at),
  ended_at = GREATEST(s.ended_at, EXCLUDED.ended_at),
  last_active_at = GREATEST(s.last_active_at, EXCLUDED.last_active_at),
  first_interception_id = CASE WHEN ${earlier()} THEN EXCLUDED.first_interception_id ELSE s.first_interception_id END,
  client = CASE WHEN ${earlier()} THEN EXCLUDED.client ELSE s.client END,
  metadata = CASE WHEN ${earlier()} THEN EXCLUDED.metadata ELSE s.metadata END,
  providers = ARRAY(SELECT DISTINCT v FROM unnest(s.providers || EXCLUDED.providers) v ORDER BY v),
  models = ARRAY(SELECT DISTINCT v FROM unnest(s.models || EXCLUDED.models) v ORDER BY v),
  clients = ARRAY(SELECT DISTINCT v FROM unnest(s.clients || EXCLUDED.clients) v ORDER BY v),
  interceptions = s.interceptions + EXCLUDED.interceptions,
  threads = s.threads + EXCLUDED.threads,
  input_tokens = s.input_tokens + EXCLUDED.input_tokens,
  output_tokens = s.output_tokens + EXCLUDED.output_tokens,
  cache_read_input_tokens = s.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
  cache_write_input_tokens = s.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens,
  last_prompt = CASE WHEN ${newerPrompt('EXCLUDED')} THEN EXCLUDED.last_prompt ELSE s.last_prompt END,
  last_prompt_at = CASE WHEN ${newerPrompt('EXCLUDED')} THEN EXCLUDED.last_prompt_at ELSE s.last_prompt_at END,
  last_prompt_id = CASE WHEN ${newerPrompt('EXCLUDED')} THEN EXCLUDED.last_prompt_id ELSE s.last_prompt_id END`;

function earlier(): string {
  return '(EXCLUDED.started_at, EXCLUDED.first_interception_id) < (s.started_at, s.first_interception_id)';
}

/** The prompt of `row` is newer than the summary's (same order as the plain "latest prompt"). */
function newerPrompt(row: string): string {
  return `(${row}.last_prompt_at IS NOT NULL AND (s.last_prompt_at IS NULL
    OR (${row}.last_prompt_at, ${row}.last_prompt_id) > (s.last_prompt_at, s.last_prompt_id)))`;
}

/** Keys given as two parallel arrays, matched against the interceptions aliased i. */
const IN_KEYS = `(i.session_id, i.initiator_id) IN (SELECT k.s, k.i FROM unnest(p_sessions, p_initiators) AS k(s, i))`;

/** Facet rows an interception or a session counts under: all, and each provider/model/client. */
const FACETS = [
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
];

/** The summary functions: full refresh of some sessions (or all) and incremental add. */
export const SESSION_SUMMARY_FUNCTIONS: string[] = [
  ...FACETS,
  `CREATE FUNCTION aibridge_sessions_refresh(p_initiators uuid[], p_sessions text[])
   RETURNS void LANGUAGE plpgsql AS $$
   BEGIN
     IF p_initiators IS NULL THEN
       INSERT INTO aibridge_sessions AS s (${COLUMNS}) ${summarize('TRUE')}
       ON CONFLICT (session_id, initiator_id) DO UPDATE SET ${REPLACE_ALL};
       RETURN;
     END IF;
     DELETE FROM aibridge_sessions s
     USING unnest(p_initiators, p_sessions) AS k(i, s)
     WHERE s.session_id = k.s AND s.initiator_id = k.i AND NOT EXISTS (
       SELECT 1 FROM aibridge_interceptions i
       WHERE i.session_id = k.s AND i.initiator_id = k.i AND i.ended_at IS NOT NULL);
     INSERT INTO aibridge_sessions AS s (${COLUMNS}) ${summarize(IN_KEYS)}
     ON CONFLICT (session_id, initiator_id) DO UPDATE SET ${REPLACE_ALL};
   END $$`,
  `CREATE FUNCTION aibridge_sessions_add(p_ids uuid[])
   RETURNS void LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO aibridge_sessions AS s (${COLUMNS}) ${summarize('i.id = ANY(p_ids)', (a) => `${a}.interception_id = ANY(p_ids)`)}
     ON CONFLICT (session_id, initiator_id) DO UPDATE SET ${MERGE};
   END $$`,
];

/** Adds (sign 1) or removes (-1) transition-table rows' facets to a counter column. */
export function countFacets(column: 'sessions' | 'interceptions', parts: string[]): string {
  return `INSERT INTO aibridge_activity_counts AS c (initiator_id, facet, value, ${column})
    SELECT x.initiator_id, x.facet, x.value, sum(x.d) FROM (${parts.join(' UNION ALL ')}) x
    GROUP BY x.facet, x.value, x.initiator_id HAVING sum(x.d) <> 0
    ORDER BY x.facet, x.value, x.initiator_id
    ON CONFLICT (facet, value, initiator_id) DO UPDATE SET ${column} = c.${column} + EXCLUDED.${column}`;
}
const sessionFacets = (table: string, sign: number) =>
  `SELECT r.initiator_id, f.facet, f.value, ${sign} AS d FROM ${table} r
   CROSS JOIN LATERAL aibridge_session_facets(r.providers, r.models, r.clients) f`;
/** Facets of the summaries whose value lists an UPDATE changed (the others net to zero). */
const changedFacets = (table: string, other: string, sign: number) =>
  `SELECT r.initiator_id, f.facet, f.value, ${sign} AS d FROM ${table} r
   JOIN ${other} x ON x.session_id = r.session_id AND x.initiator_id = r.initiator_id
     AND (x.providers, x.models, x.clients) IS DISTINCT FROM (r.providers, r.models, r.clients)
   CROSS JOIN LATERAL aibridge_session_facets(r.providers, r.models, r.clients) f`;
export const interceptionFacets = (table: string, sign: number) =>
  `SELECT r.initiator_id, f.facet, f.value, ${sign} AS d FROM ${table} r
   CROSS JOIN LATERAL aibridge_interception_facets(r.provider, r.model, r.client) f WHERE r.ended_at IS NOT NULL`;

/** Session counters follow the summary rows themselves. */
export const ACTIVITY_COUNTS_TRIGGERS: string[] = [
  `CREATE FUNCTION aibridge_sessions_count() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       ${countFacets('sessions', [sessionFacets('new_rows', 1)])};
     ELSIF TG_OP = 'UPDATE' THEN
       ${countFacets('sessions', [changedFacets('new_rows', 'old_rows', 1), changedFacets('old_rows', 'new_rows', -1)])};
     ELSE
       ${countFacets('sessions', [sessionFacets('old_rows', -1)])};
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER aibridge_sessions_count_insert AFTER INSERT ON aibridge_sessions
   REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_sessions_count()`,
  `CREATE TRIGGER aibridge_sessions_count_update AFTER UPDATE ON aibridge_sessions
   REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_sessions_count()`,
  `CREATE TRIGGER aibridge_sessions_count_delete AFTER DELETE ON aibridge_sessions
   REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_sessions_count()`,
];

/** A change to these columns of an ended interception changes its session's summary. */
export const SUMMARIZED = `(o.session_id, o.initiator_id, o.started_at, o.ended_at, o.provider, o.model, o.client,
  o.thread_root_id, o.metadata) IS DISTINCT FROM (n.session_id, n.initiator_id, n.started_at, n.ended_at,
  n.provider, n.model, n.client, n.thread_root_id, n.metadata)`;

/**
 * The interceptions' summary trigger function: `addEnded` folds the interceptions an UPDATE
 * ended into their sessions; any other change to an ended row, or deleting one, recomputes
 * its sessions from scratch (rare: retention and repairs). Counters follow every change.
 */
export function interceptionsSummarize(create: string, addEnded: string): string {
  return `${create} aibridge_interceptions_summarize() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       ${addEnded};
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT o.initiator_id, o.session_id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND ${SUMMARIZED}
         UNION
         SELECT n.initiator_id, n.session_id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE n.ended_at IS NOT NULL AND ${SUMMARIZED}
           AND (o.ended_at IS NOT NULL OR (o.session_id, o.initiator_id) IS DISTINCT FROM (n.session_id, n.initiator_id))
       ) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
       ${countFacets('interceptions', [interceptionFacets('new_rows', 1), interceptionFacets('old_rows', -1)])};
     ELSE
       SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT o.initiator_id, o.session_id FROM old_rows o WHERE o.ended_at IS NOT NULL) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;
       ${countFacets('interceptions', [interceptionFacets('old_rows', -1)])};
     END IF;
     RETURN NULL;
   END $$`;
}

/**
 * Interceptions: ending (the recorder's UPDATE, or an INSERT of an ended row) adds to the
 * session incrementally; any other change to an ended row, or deleting one, recomputes its
 * sessions from scratch (rare: retention and repairs).
 */
export const INTERCEPTION_TRIGGERS: string[] = [
  interceptionsSummarize(
    'CREATE FUNCTION',
    `PERFORM aibridge_sessions_add(ARRAY(
         SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL AND NOT (
           (o.session_id, o.initiator_id) IS DISTINCT FROM (n.session_id, n.initiator_id))))`,
  ),
  // The recorder inserts interceptions unended: a row trigger whose WHEN is false costs
  // nothing per start, where a statement trigger would run on every (synchronous) start.
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
];

/**
 * Token rows and prompts of an interception that was already ended add to its session. Those
 * written by the very statement that ended it (the recorder writes a batch's records and its
 * ends in one statement) were already counted by the interception's trigger, which sees every
 * row of the statement: they are recognised by the interception's row version having been
 * written by this statement (same xmin and cmin as the new rows). Updates and deletes of
 * these rows recompute the sessions they belong to.
 */
function recordTrigger(table: 'aibridge_token_usages' | 'aibridge_user_prompts', add: string): string {
  return `CREATE FUNCTION ${table}_summarize() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_xmin xid;
     v_cmin cid;
     v_initiators uuid[];
     v_sessions text[];
   BEGIN
     IF TG_OP = 'INSERT' THEN
       SELECT r.xmin, r.cmin INTO v_xmin, v_cmin FROM ${table} r WHERE r.id = (SELECT n.id FROM new_rows n LIMIT 1);
       IF EXISTS (SELECT 1 FROM aibridge_interceptions i
                  WHERE i.id IN (SELECT n.interception_id FROM new_rows n) AND ${ENDED_EARLIER}) THEN
         ${add};
       END IF;
     ELSIF TG_OP = 'UPDATE' THEN
       ${refreshOf('SELECT o.interception_id FROM old_rows o UNION SELECT n.interception_id FROM new_rows n')}
     ELSE
       ${refreshOf('SELECT o.interception_id FROM old_rows o')}
     END IF;
     RETURN NULL;
   END $$`;
}

/** Recomputes the sessions of the ended interceptions `ids` (a subquery) lists. */
function refreshOf(ids: string): string {
  return `SELECT array_agg(k.initiator_id), array_agg(k.session_id) INTO v_initiators, v_sessions FROM (
         SELECT DISTINCT i.initiator_id, i.session_id FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (${ids})) k;
       IF v_initiators IS NOT NULL THEN PERFORM aibridge_sessions_refresh(v_initiators, v_sessions); END IF;`;
}

/** Only interceptions ended before this statement (see recordTrigger). */
const ENDED_EARLIER = 'i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)';

const ADD_TOKENS = `UPDATE aibridge_sessions s SET
    input_tokens = s.input_tokens + d.input_tokens, output_tokens = s.output_tokens + d.output_tokens,
    cache_read_input_tokens = s.cache_read_input_tokens + d.cache_read_input_tokens,
    cache_write_input_tokens = s.cache_write_input_tokens + d.cache_write_input_tokens
  FROM (
    SELECT i.session_id, i.initiator_id, sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM new_rows t JOIN aibridge_interceptions i ON i.id = t.interception_id
    WHERE ${ENDED_EARLIER}
    GROUP BY i.session_id, i.initiator_id ORDER BY i.session_id, i.initiator_id
  ) d
  WHERE s.session_id = d.session_id AND s.initiator_id = d.initiator_id`;

const ADD_PROMPTS = `UPDATE aibridge_sessions s SET
    last_prompt = d.last_prompt, last_prompt_at = d.last_prompt_at, last_prompt_id = d.last_prompt_id
  FROM (
    SELECT DISTINCT ON (i.session_id, i.initiator_id) i.session_id, i.initiator_id,
      p.prompt AS last_prompt, p.created_at AS last_prompt_at, p.id AS last_prompt_id
    FROM new_rows p JOIN aibridge_interceptions i ON i.id = p.interception_id
    WHERE ${ENDED_EARLIER}
    ORDER BY i.session_id, i.initiator_id, p.created_at DESC, p.id DESC
  ) d
  WHERE s.session_id = d.session_id AND s.initiator_id = d.initiator_id AND ${newerPrompt('d')}`;

/** Triggers on the token-usage and prompt tables. */
export const RECORD_TRIGGERS: string[] = [
  recordTrigger('aibridge_token_usages', ADD_TOKENS),
  recordTrigger('aibridge_user_prompts', ADD_PROMPTS),
  ...(['aibridge_token_usages', 'aibridge_user_prompts'] as const).flatMap((table) => [
    `CREATE TRIGGER ${table}_summary_insert AFTER INSERT ON ${table}
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_summarize()`,
    `CREATE TRIGGER ${table}_summary_change AFTER DELETE ON ${table}
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_summarize()`,
    `CREATE TRIGGER ${table}_summary_update AFTER UPDATE ON ${table}
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_summarize()`,
  ]),
];
