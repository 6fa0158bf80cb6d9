#!/usr/bin/env node
// Writes a realistic aibridge dataset straight into PostgreSQL for `npm run bench:api`.
//
//   node bench/api-generate.mjs --size 1m|10m [--lock /tmp/aibridge-heavy.lock] [--step NAME]
//
// Shape (×10 for 10m): 1,000,000 interceptions over 90 days by 200 users (skewed: a few do
// most of the work), ~100,000 sessions of 1–500 interceptions (session 1 has exactly 500),
// Claude Code / Codex sessions keyed by a client session id and made of tool-call threads,
// other clients one thread per session (keyed by the thread root, as the gateway does), 4
// token-usage rows, 1 prompt and 2 tool calls per interception, a few never ended; costs on the
// token rows, interceptions, session summaries and hourly rollup (step `costs`).
//
// Everything is generated server-side (INSERT … SELECT generate_series): no rows cross the
// wire. The tables are made UNLOGGED (and stay so: reads are unaffected, and a
// benchmark dataset is regenerated rather than recovered) and their indexes are dropped while
// loading, then rebuilt once after the load. The schema comes from aibridge's own
// migrations (dist), and the newest migrations' backfills run after the load, like an upgrade.
// With --lock each step runs as its own `flock` job, so no single job holds the lock long.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Database } from '../dist/db/database.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1m' },
    step: { type: 'string' },
    lock: { type: 'string' },
    url: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432' },
  },
});
const SCALE = { '1m': 1, '10m': 10 }[args.size];
if (!SCALE) throw new Error('--size must be 1m or 10m');
const DB_NAME = `aibridge_bench_${args.size}`;
const N = 1_000_000 * SCALE;
const USERS = 200;
const CHUNKS = SCALE; // child tables are filled in this many chunks of interceptions
const TABLES = [
  'aibridge_interceptions',
  'aibridge_token_usages',
  'aibridge_user_prompts',
  'aibridge_tool_usages',
  'aibridge_model_thoughts',
];
const dbUrl = `${args.url}/${DB_NAME}`;
/** The last migration before the session summaries and the usage rollup. */
const LOAD_SCHEMA = '20261128T150000_management_api_indexes';

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET synchronous_commit = off`,
    );
    return await work(client);
  } finally {
    await client.end();
  }
}

const STEPS = {
  async create() {
    await withClient(`${args.url}/postgres`, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${DB_NAME}`);
    });
    const db = await Database.open({ url: dbUrl, poolSize: 1 });
    // The schema before the read models: rows are loaded without firing their triggers row by
    // row, and the later migrations backfill them in `finish`, as on an upgrade.
    await db.migrate(LOAD_SCHEMA);
    await db.close();
    await withClient(dbUrl, async (c) => {
      // Remember and drop every index (and primary key) of the AI Bridge tables: they are
      // rebuilt once after the load, much faster than maintained row by row.
      await c.query(`CREATE TABLE bench_indexes (name text PRIMARY KEY, tbl text, def text, is_pk bool)`);
      await c.query(
        `INSERT INTO bench_indexes
         SELECT i.indexname, i.tablename, i.indexdef, c.contype = 'p'
         FROM pg_indexes i LEFT JOIN pg_constraint c ON c.conname = i.indexname
         WHERE i.schemaname = 'public' AND i.tablename = ANY($1)`,
        [TABLES],
      );
      const { rows } = await c.query(`SELECT * FROM bench_indexes`);
      for (const r of rows) {
        await c.query(r.is_pk ? `ALTER TABLE ${r.tbl} DROP CONSTRAINT ${r.name}` : `DROP INDEX ${r.name}`);
      }
      for (const t of TABLES) await c.query(`ALTER TABLE ${t} SET UNLOGGED`);
      await c.query(
        `ALTER TABLE aibridge_interceptions DROP CONSTRAINT IF EXISTS aibridge_interceptions_initiator_id_fkey`,
      );
      // 200 users, no owner: the server's bootstrap creates the owner the benchmark signs in as.
      await c.query(
        `INSERT INTO users (id, username, name, role, created_at)
         SELECT md5('u' || n)::uuid, 'user' || lpad(n::text, 3, '0'), 'Bench User ' || n,
           CASE WHEN n % 40 = 0 THEN 'auditor' ELSE 'member' END, now() - interval '120 days'
         FROM generate_series(1, ${USERS}) n`,
      );
    });
  },

  async sessions() {
    await withClient(dbUrl, async (c) => {
      await c.query(`DROP TABLE IF EXISTS bench_sessions`);
      // Sizes: 98% short (exponential, mean ~5), 2% long (20–500), session 1 exactly 500:
      // ~10 interceptions per session on average, so ~100,000 sessions per million.
      await c.query(`SELECT setseed(0.42)`);
      await c.query(
        `CREATE UNLOGGED TABLE bench_sessions AS
         WITH raw AS (
           SELECT s,
             CASE WHEN s = 1 THEN 500
                  WHEN random() < 0.02 THEN 20 + floor(random() * 481)::int
                  ELSE least(500, 1 + floor(-ln(1 - random()) * 4.5)::int) END AS size,
             random() AS r_user, random() AS r_client, random() AS r_model, random() AS r_time,
             random() AS r_len, random() AS r_gap
           FROM generate_series(1, ${Math.round(N / 8)}) s
         ), placed AS (
           SELECT *, sum(size) OVER (ORDER BY s) - size AS off FROM raw
         ), typed AS (
           SELECT *,
             CASE WHEN r_client < 0.40 THEN 'Claude Code' WHEN r_client < 0.60 THEN 'Codex'
                  WHEN r_client < 0.72 THEN 'Cursor' WHEN r_client < 0.80 THEN 'GitHub Copilot (VS Code)'
                  WHEN r_client < 0.84 THEN 'GitHub Copilot (CLI)' WHEN r_client < 0.88 THEN 'Zed'
                  WHEN r_client < 0.91 THEN 'Kilo Code' WHEN r_client < 0.94 THEN 'Roo Code'
                  WHEN r_client < 0.97 THEN 'Unknown' END AS client
           FROM placed WHERE off < ${N}
         )
         SELECT s, size, off,
           md5('u' || (1 + floor(${USERS} * power(r_user, 2.5))::int))::uuid AS user_id,
           client,
           CASE WHEN client IN ('Claude Code', 'Codex') THEN md5('s' || s)::uuid::text END AS csid,
           -- threads: tool-call chains of 1–8 steps in client-keyed sessions, else one thread
           CASE WHEN client IN ('Claude Code', 'Codex') THEN 1 + floor(r_len * 8)::int ELSE size END AS tlen,
           CASE
             WHEN client = 'Claude Code' THEN CASE WHEN r_model < 0.7 THEN 'claude-sonnet-4-5'
               WHEN r_model < 0.9 THEN 'claude-opus-4-1' ELSE 'claude-haiku-4-5' END
             WHEN client = 'Codex' THEN CASE WHEN r_model < 0.7 THEN 'gpt-5-codex' ELSE 'gpt-5' END
             ELSE CASE WHEN r_model < 0.45 THEN 'claude-sonnet-4-5' WHEN r_model < 0.75 THEN 'gpt-5'
               WHEN r_model < 0.9 THEN 'gpt-4.1' ELSE 'gemini-2.5-pro' END
           END AS model,
           -- sessions end before now; each step 5–60 s after the previous one
           now() - interval '90 days' + r_time * (interval '90 days' - interval '9 hours') AS t0,
           (5 + floor(r_gap * 55)) * interval '1 second' AS gap
         FROM typed`,
      );
    });
  },

  async interceptions() {
    await withClient(dbUrl, async (c) => {
      await c.query(`TRUNCATE aibridge_interceptions`);
      // Claude Code sessions call the small model for every fifth step, so some sessions
      // have two models; gemini goes through an OpenAI-compatible provider.
      await c.query(
        `INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, provider_name, model,
           client, client_session_id, thread_parent_id, thread_root_id, metadata, started_at, ended_at)
         SELECT md5('i' || k)::uuid, s.user_id, NULL,
           CASE WHEN m LIKE 'claude%' THEN 'anthropic' ELSE 'openai' END,
           CASE WHEN m LIKE 'claude%' THEN 'anthropic' WHEN m LIKE 'gemini%' THEN 'openrouter' ELSE 'openai' END,
           m, s.client, s.csid,
           CASE WHEN tpos = 0 THEN NULL ELSE md5('i' || (k - 1))::uuid END,
           CASE WHEN tpos = 0 THEN NULL ELSE md5('i' || (k - tpos))::uuid END,
           NULL, st,
           CASE WHEN k % 2003 = 0 THEN NULL ELSE st + (1 + (k % 29)) * interval '1 second' + (k % 997) * interval '1 ms' END
         FROM bench_sessions s
         CROSS JOIN LATERAL generate_series(1, s.size) j
         CROSS JOIN LATERAL (SELECT s.off + j AS k, (j - 1) % s.tlen AS tpos,
           s.t0 + (j - 1) * s.gap + (j % 7) * interval '1 ms' AS st,
           CASE WHEN s.client = 'Claude Code' AND j % 5 = 0 THEN 'claude-haiku-4-5' ELSE s.model END AS m) x
         WHERE x.k <= ${N}`,
      );
    });
  },

  async children() {
    for (let chunk = 0; chunk < CHUNKS; chunk++) await STEPS[`children_${chunk}`]();
  },

  async indexes() {
    await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(`SELECT * FROM bench_indexes ORDER BY is_pk DESC, tbl, name`);
      for (const r of rows) {
        const started = Date.now();
        await c.query(
          r.is_pk
            ? `ALTER TABLE ${r.tbl} ADD CONSTRAINT ${r.name} ${r.def.replace(/^.*USING btree /, 'PRIMARY KEY ')}`
            : r.def,
        );
        console.log(`  index ${r.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
  },

  /** Re-runs the session-summary migration (after changing it during development). */
  async resummarize() {
    await withClient(dbUrl, async (c) => {
      await c.query('DROP TABLE IF EXISTS aibridge_activity_counts, aibridge_sessions CASCADE');
      const { rows } = await c.query(
        `SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND (p.proname LIKE 'aibridge\\_%' ESCAPE '\\')`,
      );
      for (const r of rows) await c.query(`DROP FUNCTION IF EXISTS ${r.fn} CASCADE`);
    });
    const db = await Database.open({ url: dbUrl, poolSize: 1 });
    await db.kysely
      .deleteFrom('aibridge_migrations')
      .where('name', '=', '20261128T170000_session_summaries')
      .execute();
    const started = Date.now();
    await db.migrate();
    console.log(`  session summaries backfilled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await db.close();
    await withClient(dbUrl, (c) => c.query('VACUUM (ANALYZE) aibridge_sessions, aibridge_activity_counts'));
  },

  /**
   * Costs, as the recorder writes them: each token row priced (integer micro-dollars at the
   * model's list rates, with its rate snapshot), each ended interception the sum of its rows
   * (gemini through OpenRouter left unpriced: NULL), and the session summaries and hourly rollup
   * given the same sums. Triggers are off while the columns are filled; the summaries are then
   * set from the same aggregates the triggers keep.
   */
  async costs() {
    await withClient(dbUrl, async (c) => {
      await c.query(`SET session_replication_role = replica`);
      await c.query(
        `UPDATE aibridge_token_usages t
         SET cost_micros = ((t.input_tokens * p.inp + t.output_tokens * p.outp + t.cache_read_input_tokens * p.cr
             + t.cache_write_input_tokens * p.cw) / 1000000)::bigint,
           price = jsonb_build_object('source', 'package', 'origin', '@pydantic/genai-prices@0.1.8', 'model', p.model,
             'input', p.inp, 'output', p.outp, 'cache_read', p.cr, 'cache_write_5m', p.cw,
             'cache_write_1h', p.inp * 2, 'web_search', 10000)
         FROM (
           SELECT i.id, i.model, b.inp, b.inp * 5 AS outp, b.inp / 10 AS cr, b.inp * 5 / 4 AS cw
           FROM aibridge_interceptions i
           CROSS JOIN LATERAL (SELECT CASE WHEN i.model LIKE 'claude-opus%' THEN 15000000
               WHEN i.model LIKE 'claude-haiku%' THEN 1000000 WHEN i.model LIKE 'claude%' THEN 3000000
               WHEN i.model = 'gpt-4.1' THEN 2000000 ELSE 1250000 END AS inp) b
           WHERE i.model NOT LIKE 'gemini%'
         ) p
         WHERE p.id = t.interception_id`,
      );
      await c.query(
        `UPDATE aibridge_interceptions i SET cost_micros = s.micros
         FROM (SELECT interception_id, sum(cost_micros)::bigint AS micros FROM aibridge_token_usages
               GROUP BY interception_id) s
         WHERE i.id = s.interception_id AND i.ended_at IS NOT NULL AND i.model NOT LIKE 'gemini%'`,
      );
      await c.query(
        `UPDATE aibridge_sessions s SET cost_micros = x.micros, unpriced_interceptions = x.unpriced
         FROM (SELECT session_id, initiator_id, COALESCE(sum(cost_micros), 0)::bigint AS micros,
                 count(*) FILTER (WHERE cost_micros IS NULL) AS unpriced
               FROM aibridge_interceptions WHERE ended_at IS NOT NULL GROUP BY 1, 2) x
         WHERE s.session_id = x.session_id AND s.initiator_id = x.initiator_id`,
      );
      await c.query(
        `UPDATE aibridge_usage_hourly u SET cost_micros = x.micros, unpriced_interceptions = x.unpriced
         FROM (SELECT date_trunc('hour', started_at, 'UTC') AS hour, initiator_id, provider, model,
                 COALESCE(client, 'Unknown') AS client, COALESCE(sum(cost_micros), 0)::bigint AS micros,
                 count(*) FILTER (WHERE cost_micros IS NULL) AS unpriced
               FROM aibridge_interceptions WHERE ended_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5) x
         WHERE u.hour = x.hour AND u.initiator_id = x.initiator_id AND u.provider = x.provider
           AND u.model = x.model AND u.client = x.client`,
      );
      await c.query(`RESET session_replication_role`);
      await c.query(`VACUUM (ANALYZE)`);
    });
  },

  async finish() {
    await withClient(dbUrl, async (c) => {
      await c.query(`DROP TABLE IF EXISTS bench_sessions`);
      await c.query(
        `ALTER TABLE aibridge_interceptions ADD CONSTRAINT aibridge_interceptions_initiator_id_fkey
         FOREIGN KEY (initiator_id) REFERENCES users (id)`,
      );
    });
    // Migrations newer than the load (a summary table's backfill) run now, as on an upgrade.
    const db = await Database.open({ url: dbUrl, poolSize: 1 });
    await db.migrate();
    await db.close();
    await withClient(dbUrl, async (c) => {
      // A live database is vacuumed and analysed by autovacuum; do it once here.
      await c.query(`VACUUM (ANALYZE)`);
    });
  },
};

// Child rows per chunk of interceptions (by md5 id bucket, so chunks are even).
for (let chunk = 0; chunk < CHUNKS; chunk++) {
  STEPS[`children_${chunk}`] = () =>
    withClient(dbUrl, async (c) => {
      const where = CHUNKS === 1 ? 'TRUE' : `abs(hashtext(i.id::text)) % ${CHUNKS} = ${chunk}`;
      await c.query(
        `INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens,
           output_tokens, cache_read_input_tokens, cache_write_input_tokens, metadata, created_at)
         SELECT gen_random_uuid(), i.id, 'resp_' || left(i.id::text, 13) || r,
           (200 + random() * 8000)::bigint, (20 + random() * 1500)::bigint,
           (random() * 60000)::bigint, (random() * 4000)::bigint, NULL,
           i.started_at + r * interval '200 ms'
         FROM aibridge_interceptions i CROSS JOIN generate_series(1, 4) r WHERE ${where}`,
      );
      await c.query(
        `INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at)
         SELECT gen_random_uuid(), i.id, 'resp_' || left(i.id::text, 13) || '1',
           (ARRAY['Fix the failing test in', 'Refactor the handler in', 'Explain what happens in',
                  'Add pagination to the endpoint in', 'Why does this panic in', 'Write docs for'])
             [1 + abs(hashtext(i.id::text)) % 6] || ' src/module_' || (abs(hashtext(i.id::text)) % 500)
             || '.ts — keep the public API and run the tests afterwards.',
           '{}'::jsonb, i.started_at + interval '1 ms'
         FROM aibridge_interceptions i WHERE ${where}`,
      );
      await c.query(
        `INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, provider_tool_call_id,
           server_url, tool, input, injected, invocation_error, metadata, created_at)
         SELECT gen_random_uuid(), i.id, 'resp_' || left(i.id::text, 13) || r, 'toolu_' || left(i.id::text, 18) || r,
           NULL, (ARRAY['Read', 'Edit', 'Bash', 'Grep', 'Write', 'TodoWrite'])[1 + (abs(hashtext(i.id::text)) + r) % 6],
           '{"file_path":"/repo/src/module_' || (abs(hashtext(i.id::text)) % 500) || '.ts"}', false, NULL,
           '{}'::jsonb, i.started_at + r * interval '300 ms'
         FROM aibridge_interceptions i CROSS JOIN generate_series(1, 2) r WHERE ${where}`,
      );
    });
}

const ORDER = [
  'create',
  'sessions',
  'interceptions',
  ...Array.from({ length: CHUNKS }, (_, i) => `children_${i}`),
  'indexes',
  'finish',
  'costs',
];

async function run(step) {
  const started = Date.now();
  if (args.lock && !args.step) {
    const child = spawnSync(
      'flock',
      [
        args.lock,
        process.execPath,
        new URL(import.meta.url).pathname,
        '--size',
        args.size,
        '--step',
        step,
        '--url',
        args.url,
      ],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) throw new Error(`step ${step} failed`);
  } else {
    await STEPS[step]();
  }
  const seconds = (Date.now() - started) / 1000;
  if (!args.lock || args.step) console.log(`${DB_NAME} ${step}: ${seconds.toFixed(1)} s`);
  return seconds;
}

if (args.step) {
  await run(args.step);
} else {
  const started = Date.now();
  for (const step of ORDER) await run(step);
  const total = (Date.now() - started) / 1000;
  await withClient(dbUrl, async (c) => {
    const { rows } = await c.query(
      `SELECT (SELECT count(*) FROM aibridge_interceptions) AS interceptions,
         (SELECT count(*) FROM aibridge_sessions) AS sessions,
         pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    await c.query(`CREATE TABLE IF NOT EXISTS bench_info (key text PRIMARY KEY, value text)`);
    await c.query(
      `INSERT INTO bench_info VALUES ('generate_seconds', $1) ON CONFLICT (key) DO UPDATE SET value = $1`,
      [total.toFixed(0)],
    );
    console.log(`${DB_NAME}: generated in ${total.toFixed(0)} s`, rows[0]);
  });
}
