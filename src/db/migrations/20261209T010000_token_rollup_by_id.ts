import { type Kysely, sql } from 'kysely';

/**
 * The token rows' hourly-rollup trigger stops scanning the whole interceptions table. On
 * INSERT it adds the new token rows of interceptions that had already ended (rows that arrive
 * after their end); it found those by joining the transition table to
 * `aibridge_interceptions`, and with 1,000 token rows per batch the planner preferred a hash
 * join over a sequential scan of the table until it held ~90k rows (the index plan's cost
 * estimate is pessimistic when everything is cached). Measured with
 * `bench/recorder/explain.mjs` on a fresh database of 20k interceptions: 7.5 ms of a 45 ms
 * batch of 250 interceptions, growing with the table — the recorder's sustained rate fell as a
 * new installation filled up. The interceptions are now looked up by their ids
 * (`id = ANY(ARRAY(…))`, an index scan on the primary key whatever the table's size). Same
 * rows, same sums; the rollup's equivalence tests cover it.
 *
 * Frozen: installations that ran it keep what it made, so it is never edited (a change is a
 * new migration). One statement, sent exactly as written (PGlite takes one statement per query).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

const STATEMENTS: readonly string[] = [
  `CREATE OR REPLACE FUNCTION aibridge_token_usages_roll_up()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
       WHERE i.id = ANY (ARRAY(SELECT DISTINCT n.interception_id FROM new_rows n))
         AND i.ended_at IS NOT NULL AND NOT (i.xmin = v_xmin AND i.cmin = v_cmin)
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
   END $function$`,
];
