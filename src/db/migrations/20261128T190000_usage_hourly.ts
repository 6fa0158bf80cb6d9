import { type Kysely, sql } from 'kysely';

/**
 * The hourly usage rollup, maintained on write, so the Usage page's aggregate reads one row
 * per hour and (initiator, provider, model, client) instead of every interception and token
 * row of the range. `aibridge_usage_hourly` holds, per UTC hour of `started_at` and key, how
 * many ended interceptions there are and the sums of their token rows: exactly what the plain
 * usage aggregate counts. Statement-level triggers with transition tables keep it exact, in
 * the style of the session summaries; existing rows are backfilled here.
 * (20261128T210000 redefines aibridge_interceptions_roll_up() and sets planner options on
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
  // The rollup, its backfill (token sums grouped in one pass over the token rows) and index.
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
    PRIMARY KEY (hour, initiator_id, provider, model, client)
  )`,
  `INSERT INTO aibridge_usage_hourly (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens)
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

  // Adds some interceptions: each one's token rows are summed through the interception_id
  // index (LATERAL), so a few interceptions cost a few index probes.
  `CREATE FUNCTION aibridge_usage_hourly_add(p_ids uuid[])
   RETURNS void LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO aibridge_usage_hourly AS u (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens) 
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0)
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
  cache_write_input_tokens = u.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens;
   END $$`,

  // Rare paths (retention, repairs, edits of ended rows): the hours are recomputed whole, one
  // started_at range scan each.
  `CREATE FUNCTION aibridge_usage_hourly_refresh(p_hours timestamptz[])
   RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     v_hour timestamptz;
   BEGIN
     FOREACH v_hour IN ARRAY ARRAY(SELECT DISTINCT h FROM unnest(p_hours) h WHERE h IS NOT NULL ORDER BY h) LOOP
       DELETE FROM aibridge_usage_hourly u WHERE u.hour = v_hour;
       INSERT INTO aibridge_usage_hourly (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens)
       
  SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
    COALESCE(i.client, 'Unknown'), count(*), COALESCE(sum(t.input_tokens), 0), COALESCE(sum(t.output_tokens), 0),
    COALESCE(sum(t.cache_read_input_tokens), 0), COALESCE(sum(t.cache_write_input_tokens), 0)
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
   END $$`,

  // Interceptions: ending one (the recorder's UPDATE) adds it and its token rows; re-keying or
  // un-ending an ended one, or deleting one, recomputes the hours it left and entered.
  `CREATE FUNCTION aibridge_interceptions_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       PERFORM aibridge_usage_hourly_add(ARRAY(
         SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NULL AND n.ended_at IS NOT NULL));
       PERFORM aibridge_usage_hourly_refresh(ARRAY(
         SELECT date_trunc('hour', o.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND (o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL)
         UNION
         SELECT date_trunc('hour', n.started_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE o.ended_at IS NOT NULL AND n.ended_at IS NOT NULL AND (o.initiator_id, o.provider, o.model, COALESCE(o.client, 'Unknown'),
  date_trunc('hour', o.started_at, 'UTC'), o.ended_at IS NULL) IS DISTINCT FROM (n.initiator_id, n.provider,
  n.model, COALESCE(n.client, 'Unknown'), date_trunc('hour', n.started_at, 'UTC'), n.ended_at IS NULL)));
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

  // Token rows of an interception ended before this statement add to its hour; those written by
  // the statement that ended it were already summed by the interception's trigger (recognised
  // by the interception's row version: same xmin and cmin as the new rows). Updates and deletes
  // recompute the hours of the (still existing) interceptions they belong to.
  `CREATE FUNCTION aibridge_token_usages_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     v_xmin xid;
     v_cmin cid;
   BEGIN
     IF TG_OP = 'INSERT' THEN
       SELECT r.xmin, r.cmin INTO v_xmin, v_cmin FROM aibridge_token_usages r
       WHERE r.id = (SELECT n.id FROM new_rows n LIMIT 1);
       INSERT INTO aibridge_usage_hourly AS u (hour, initiator_id, provider, model, client, interceptions, input_tokens, output_tokens,
  cache_read_input_tokens, cache_write_input_tokens)
       SELECT date_trunc('hour', i.started_at, 'UTC'), i.initiator_id, i.provider, i.model,
         COALESCE(i.client, 'Unknown'), 0, sum(t.input_tokens), sum(t.output_tokens),
         sum(t.cache_read_input_tokens), sum(t.cache_write_input_tokens)
       FROM new_rows t JOIN aibridge_interceptions i ON i.id = t.interception_id
       WHERE i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (hour, initiator_id, provider, model, client) DO UPDATE SET interceptions = u.interceptions + EXCLUDED.interceptions,
  input_tokens = u.input_tokens + EXCLUDED.input_tokens, output_tokens = u.output_tokens + EXCLUDED.output_tokens,
  cache_read_input_tokens = u.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
  cache_write_input_tokens = u.cache_write_input_tokens + EXCLUDED.cache_write_input_tokens;
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
