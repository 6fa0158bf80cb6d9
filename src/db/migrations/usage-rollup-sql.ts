/**
 * The SQL behind the hourly usage rollup (migration 20261128T190000): `aibridge_usage_hourly`
 * holds, per UTC hour of `started_at` and per (initiator, provider, model, client), how many
 * ended interceptions there are and the sums of their token rows — exactly what the plain
 * usage aggregate counts. Kept apart from the migration, like the session-summary SQL, so
 * the one aggregate is written once for the backfill, the incremental and the repair path.
 */

/** Rollup columns, in the order the aggregate produces them. */
export const COLUMNS = `hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens`;

/** Joins the token sums (aliased t) of each interception aliased `alias`, by its interception_id index. */
export function tokenSumsOf(alias: string): string {
  return `  LEFT JOIN LATERAL (
    SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
      sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
      sum(t.cache_write_input_tokens) AS cache_write_input_tokens
    FROM aibridge_token_usages t WHERE t.interception_id = ${alias}.id
  ) t ON TRUE`;
}

/**
 * One rollup row per hour and key over the ended interceptions selected by `where` (alias i).
 * Each interception's token rows are summed through the interception_id index (LATERAL), so a
 * few interceptions cost a few index probes.
 */
export function aggregate(where: string, from = 'aibridge_interceptions i'): string {
  return `
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0)
  FROM ${from}
${tokenSumsOf('i')}
  WHERE i.ended_at IS NOT NULL AND ${where}
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
}

export const KEY = 'hour, initiator_id, provider, model, client';

export const ADD = `interceptions = u.interceptions + EXCLUDED.interceptions,
  input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
  cache_read_input_tokens = u.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
  cache_write_input_tokens = u.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens`;

/** The table, its backfill (token sums grouped in one pass over the token rows) and index. */
export const USAGE_ROLLUP_TABLE: string[] = [
  `CREATE TABLE aibridge_usage_hourly (
    hour timestamptz NOT NULL,
    initiator_id uuid NOT NULL,
    provider text NOT NULL,
    model text NOT NULL,
    client text NOT NULL,
    interceptions bigint NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cache_read_input_tokens bigint NOT NULL,
    cache_write_input_tokens bigint NOT NULL,
    PRIMARY KEY (${KEY})
  )`,
  `INSERT INTO aibridge_usage_hourly (${COLUMNS})
   SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
     COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
     COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0)
   FROM aibridge_interceptions i
   LEFT JOIN (
     SELECT t.interception_id, sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
       sum(t.cache_read_input_tokens) AS cache_read_input_tokens,
       sum(t.cache_write_input_tokens) AS cache_write_input_tokens
     FROM aibridge_token_usages t GROUP BY t.interception_id
   ) t ON t.interception_id = i.id
   WHERE i.ended_at IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5`,
  `CREATE INDEX aibridge_usage_hourly_initiator_idx ON aibridge_usage_hourly (initiator_id, hour)`,
  `ANALYZE aibridge_usage_hourly`,
];

/** Incremental add of some interceptions, and recomputation of whole hours from raw rows. */
export const USAGE_ROLLUP_FUNCTIONS: string[] = [
  `CREATE FUNCTION aibridge_usage_hourly_add(p_ids uuid[])
   RETURNS void LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO aibridge_usage_hourly AS u (${COLUMNS}) ${aggregate('i.id = ANY(p_ids)')}
     ON CONFLICT (${KEY}) DO UPDATE SET ${ADD};
   END $$`,
  // Rare paths (retention, repairs, edits of ended rows): the hours are recomputed whole,
  // one started_at range scan each.
  `CREATE FUNCTION aibridge_usage_hourly_refresh(p_hours timestamptz[])
   RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     v_hour timestamptz;
   BEGIN
     FOREACH v_hour IN ARRAY ARRAY(SELECT DISTINCT h FROM unnest(p_hours) h WHERE h IS NOT NULL ORDER BY h) LOOP
       DELETE FROM aibridge_usage_hourly u WHERE u.hour = v_hour;
       INSERT INTO aibridge_usage_hourly (${COLUMNS})
       ${aggregate(`i.started_at >= v_hour AND i.started_at < v_hour + interval '1 hour'`)};
     END LOOP;
   END $$`,
];

/** What the rollup keys an ended interception by: a change to any of these moves it. */
export const ROLLED_UP = `(o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL)`;

/**
 * Interceptions: ending one (the recorder's UPDATE) adds it and its token rows; re-keying or
 * un-ending an ended one, or deleting one, recomputes the hours it left and entered.
 */
export const USAGE_INTERCEPTION_TRIGGERS: string[] = [
  `CREATE FUNCTION aibridge_interceptions_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       PERFORM aibridge_usage_hourly_add(ARRAY(
         SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL));
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND ${ROLLED_UP}
         UNION
         SELECT date_trunc('hour', n.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND n.ended_at IS NOT NULL AND ${ROLLED_UP}));
     ELSE
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT DISTINCT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o WHERE o.ended_at IS NOT NULL));
     END IF;
     RETURN NULL;
   END $$`,
  // Starts are inserted unended: a row trigger whose WHEN is false costs nothing per start.
  `CREATE FUNCTION aibridge_interception_rolled_up() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM aibridge_usage_hourly_add(ARRAY[NEW.id]);
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER aibridge_interceptions_usage_insert AFTER INSERT ON aibridge_interceptions
   FOR EACH ROW WHEN (NEW.ended_at IS NOT NULL) EXECUTE FUNCTION aibridge_interception_rolled_up()`,
  `CREATE TRIGGER aibridge_interceptions_usage_update AFTER UPDATE ON aibridge_interceptions
   REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_interceptions_roll_up()`,
  `CREATE TRIGGER aibridge_interceptions_usage_delete AFTER DELETE ON aibridge_interceptions
   REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_interceptions_roll_up()`,
];

/** Only interceptions ended before this statement (as in the session summaries' record trigger). */
const ENDED_EARLIER = 'i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)';

/**
 * Token rows of an interception ended before this statement add to its hour; those written by
 * the statement that ended it were already summed by the interception's trigger (recognised
 * by the interception's row version: same xmin and cmin as the new rows). Updates and deletes
 * recompute the hours of the (still existing) interceptions they belong to.
 */
export const USAGE_TOKEN_TRIGGERS: string[] = [
  `CREATE FUNCTION aibridge_token_usages_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_xmin xid;
     v_cmin cid;
   BEGIN
     IF TG_OP = 'INSERT' THEN
       SELECT r.xmin, r.cmin INTO v_xmin, v_cmin FROM aibridge_token_usages r
       WHERE r.id = (SELECT n.id FROM new_rows n LIMIT 1);
       INSERT INTO aibridge_usage_hourly AS u (${COLUMNS})
       SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
         COALESCE(i.client, 'Unknown'), 0, sum(t.input_tokens), sum(t.output_tokens),
         sum(t.cache_read_input_tokens), sum(t.cache_write_input_tokens)
       FROM new_rows t JOIN aibridge_interceptions i ON i.id = t.interception_id
       WHERE ${ENDED_EARLIER}
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (${KEY}) DO UPDATE SET ${ADD};
     ELSIF TG_OP = 'UPDATE' THEN
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT date_trunc('hour', i.started_at, 'UTC') FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (
           SELECT o.interception_id FROM old_rows o UNION SELECT n.interception_id FROM new_rows n)));
     ELSE
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT date_trunc('hour', i.started_at, 'UTC') FROM aibridge_interceptions i
         WHERE i.ended_at IS NOT NULL AND i.id IN (SELECT o.interception_id FROM old_rows o)));
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER aibridge_token_usages_usage_insert AFTER INSERT ON aibridge_token_usages
   REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_token_usages_roll_up()`,
  `CREATE TRIGGER aibridge_token_usages_usage_update AFTER UPDATE ON aibridge_token_usages
   REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_token_usages_roll_up()`,
  `CREATE TRIGGER aibridge_token_usages_usage_delete AFTER DELETE ON aibridge_token_usages
   REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_token_usages_roll_up()`,
];
