// What the session-summary triggers cost the recorder: interceptions per second the real
// DatabaseRecorder (start row, then 4 token rows, 1 prompt, 2 tool calls and the end in
// batches) persists into PostgreSQL, with the summary triggers enabled and disabled.
//
//   node bench/api-write-cost.mjs [--count 20000] [--rounds 3]
//   TRACK_FUNCTIONS=1: time per trigger function; AUTO_EXPLAIN=5ms: plans of slower (nested)
//   statements in the server log; PLAN_MODE=force_custom_plan: plan_cache_mode for the database
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Database } from '../dist/db/database.js';
import { createLogger } from '../dist/log.js';
import { DatabaseRecorder } from '../dist/recorder/recorder.js';

const { values: args } = parseArgs({
  strict: false, // also imported by api.mjs, whose arguments are not these
  options: {
    count: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    url: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432' },
  },
});
const COUNT = Number(args.count);
const IN_FLIGHT = 64;
const USERS = 50;
const DB_NAME = 'aibridge_bench_write_cost';
const TRIGGER_TABLES = [
  'aibridge_interceptions',
  'aibridge_token_usages',
  'aibridge_user_prompts',
  'aibridge_sessions',
];

async function admin(text) {
  const client = new pg.Client({ connectionString: `${args.url}/postgres` });
  await client.connect();
  await client.query(text);
  await client.end();
}

/** One round on a fresh database: interceptions per second. */
/** The usage rollup's triggers ('summary' mode disables only these). */
const ROLLUP_TRIGGERS = {
  aibridge_interceptions: [
    'aibridge_interceptions_usage_insert',
    'aibridge_interceptions_usage_update',
    'aibridge_interceptions_usage_delete',
  ],
  aibridge_token_usages: [
    'aibridge_token_usages_usage_insert',
    'aibridge_token_usages_usage_update',
    'aibridge_token_usages_usage_delete',
  ],
};

/** One round on a fresh database: interceptions per second. Mode off: no triggers; summary: no rollup triggers. */
async function round(mode, count) {
  const triggers = mode !== 'off';
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  if (process.env.TRACK_FUNCTIONS) await admin(`ALTER DATABASE ${DB_NAME} SET track_functions = 'all'`);
  if (process.env.PLAN_MODE)
    await admin(`ALTER DATABASE ${DB_NAME} SET plan_cache_mode = '${process.env.PLAN_MODE}'`);
  if (process.env.AUTO_EXPLAIN) {
    await admin(`ALTER DATABASE ${DB_NAME} SET session_preload_libraries = 'auto_explain'`);
    await admin(
      `ALTER DATABASE ${DB_NAME} SET auto_explain.log_min_duration = '${process.env.AUTO_EXPLAIN}'`,
    );
    await admin(`ALTER DATABASE ${DB_NAME} SET auto_explain.log_nested_statements = on`);
    await admin(`ALTER DATABASE ${DB_NAME} SET auto_explain.log_analyze = on`);
  }
  const db = await Database.open({ url: `${args.url}/${DB_NAME}` });
  await db.migrate();
  const users = Array.from({ length: USERS }, () => randomUUID());
  for (const [n, id] of users.entries()) {
    await db.kysely
      .insertInto('users')
      .values({ id, username: `w${n}`, role: 'member' })
      .execute();
  }
  if (!triggers) {
    for (const table of TRIGGER_TABLES)
      await db.kysely.executeQuery({
        sql: `ALTER TABLE ${table} DISABLE TRIGGER USER`,
        parameters: [],
        query: {},
      });
  }
  if (mode === 'summary') {
    for (const [table, names] of Object.entries(ROLLUP_TRIGGERS))
      for (const name of names)
        await db.kysely.executeQuery({
          sql: `ALTER TABLE ${table} DISABLE TRIGGER ${name}`,
          parameters: [],
          query: {},
        });
  }
  const recorder = new DatabaseRecorder(db, createLogger('error'));
  const started = performance.now();
  let next = 0;
  const COUNT_ = count;
  const worker = async () => {
    while (next < COUNT_) {
      const n = next++;
      const id = randomUUID();
      const initiatorId = users[n % USERS];
      const now = new Date();
      await recorder.start({
        id,
        initiatorId,
        apiKeyId: 'bench',
        provider: 'anthropic',
        model: n % 5 ? 'claude-sonnet-4-5' : 'claude-haiku-4-5',
        client: 'Claude Code',
        clientSessionId: `s-${initiatorId}-${Math.floor(n / 500)}`,
        correlatingToolCallId: undefined,
        metadata: {},
        startedAt: now,
      });
      for (let t = 0; t < 4; t++) {
        recorder.record({
          kind: 'token_usage',
          interceptionId: id,
          pricedAs: { provider: 'anthropic', model: 'claude-sonnet-4-5', startedAt: now },
          providerResponseId: `r${n}`,
          input: 100,
          output: 10,
          cacheRead: 5,
          cacheWrite: 1,
          metadata: {},
          createdAt: now,
        });
      }
      recorder.record({
        kind: 'prompt',
        interceptionId: id,
        providerResponseId: `r${n}`,
        prompt: `prompt ${n}`,
        promptBytes: 10,
        createdAt: now,
      });
      for (let t = 0; t < 2; t++) {
        recorder.record({
          kind: 'tool_usage',
          interceptionId: id,
          initiatorId,
          threadRootId: id,
          providerResponseId: `r${n}`,
          toolCallId: `call-${n}-${t}`,
          tool: 'Read',
          input: '{}',
          createdAt: now,
        });
      }
      await recorder.durable(recorder.record({ kind: 'end', interceptionId: id, endedAt: new Date() }));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await recorder.close();
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await db.kysely.executeQuery({
    sql: `SELECT (SELECT count(*) FROM aibridge_interceptions WHERE ended_at IS NOT NULL) AS ended,
      (SELECT COALESCE(sum(interceptions), 0) FROM aibridge_sessions) AS summarized`,
    parameters: [],
    query: {},
  });
  if (process.env.TRACK_FUNCTIONS && triggers) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stats = await db.kysely.executeQuery({
      sql: `SELECT funcname, calls, round(total_time) AS total_ms, round(self_time) AS self_ms FROM pg_stat_user_functions ORDER BY total_time DESC`,
      parameters: [],
      query: {},
    });
    console.table(stats.rows);
    const b = await db.kysely
      .executeQuery({
        sql: `SELECT calls, round(total_exec_time) ms, left(query, 60) q FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 5`,
        parameters: [],
        query: {},
      })
      .catch(() => ({ rows: [] }));
    console.table(b.rows);
  }
  await db.close();
  return { rate: count / seconds, ...rows[0] };
}

/**
 * Median interceptions/s over `rounds` alternating rounds with the triggers disabled
 * ("before": the schema without them), only the session-summary ones enabled, and all
 * enabled (summaries and the hourly usage rollup).
 */
export async function measureWriteCost(count = COUNT, rounds = Number(args.rounds)) {
  const results = { off: [], summary: [], on: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['off', 'summary', 'on']) {
      const result = await round(mode, count);
      results[mode].push(result.rate);
      console.log(
        `triggers ${mode}: ${result.rate.toFixed(0)} interceptions/s (ended ${result.ended}, summarized ${result.summarized})`,
      );
    }
  }
  if (!process.env.KEEP) await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return {
    off: median(results.off),
    summary: median(results.summary),
    on: median(results.on),
    count,
    rounds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { off, summary, on } = await measureWriteCost();
  console.log(
    `median: triggers off ${off.toFixed(0)}/s, summaries only ${summary.toFixed(0)}/s, all ${on.toFixed(0)}/s (rollup: ${((1 - on / summary) * 100).toFixed(0)}% slower)`,
  );
}
