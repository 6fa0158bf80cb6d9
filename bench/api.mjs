#!/usr/bin/env node
// `npm run bench:api`: latency of the management API's list endpoints on the generated
// datasets (`npm run bench:api:generate -- --size 1m|10m`), through the real HTTP server.
//
//   node bench/api.mjs [--size 1m,10m] [--runs 30] [--plans] [--write-cost] [--no-write] [--cases usage]
//   (no option: --size 1m,10m --plans --write-cost; give a part alone to re-measure just it)
//
// For each dataset: starts `aibridge server` on it (owner from AIBRIDGE_BOOTSTRAP_TOKEN, a
// member token issued through the store), runs every case `runs` times one after the other
// after 3 warm-up requests, prints p50/p95 and writes bench/results/api.md. The query plans
// of the filtered session lists are saved by api-explain.mjs (run here for the largest size).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseToken } from '../dist/auth/token.js';
import { Database } from '../dist/db/database.js';
import { ApiKeyStore } from '../dist/store/api-keys.js';
import { explainPlans } from './api-explain.mjs';
import { machineHeader } from './api-report.mjs';
import { measureWriteCost } from './api-write-cost.mjs';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '' },
    runs: { type: 'string', default: '30' },
    write: { type: 'boolean', default: true },
    'no-write': { type: 'boolean', default: false },
    plans: { type: 'boolean', default: false },
    'write-cost': { type: 'boolean', default: false },
    // Re-measures only the cases whose name contains this (e.g. `usage`), updating their rows.
    cases: { type: 'string', default: '' },
    url: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432' },
  },
});
if (!args.size && !args.plans && !args['write-cost'])
  Object.assign(args, { size: '1m,10m', plans: true, 'write-cost': true });
const RUNS = Number(args.runs);
const OWNER_TOKEN = 'BENCHOWNER-abcdefghijklmnopqrstuv';
const MEMBER_TOKEN = 'BENCHMEMBR-abcdefghijklmnopqrstuv';
const PORT = 3917;
const TARGET_MS = { '1m': 50, '10m': 150 };

/** The dataset's landmarks the cases need: the 500-step session, a cursor far down, a day. */
async function landmarks(client) {
  const one = async (text) => (await client.query(text)).rows[0];
  const big = await one(
    `SELECT session_id, initiator_id FROM aibridge_interceptions WHERE id = md5('i1')::uuid`,
  );
  const deep = await one(
    `SELECT session_id, initiator_id FROM aibridge_interceptions
     WHERE ended_at IS NOT NULL AND started_at < now() - interval '75 days'
     ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  const busiest = await one(`SELECT id, username FROM users WHERE id = md5('u1')::uuid`);
  const day = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  return { big, deep, busiest, day };
}

function cases(l) {
  const s = '/api/v2/aibridge/sessions';
  const q = (text) => `?q=${encodeURIComponent(text)}`;
  const range = `started_after:"${l.day}T00:00:00Z" started_before:"${l.day}T23:59:59Z"`;
  return [
    ['sessions: first page', s, 'owner'],
    ['sessions: initiator (busiest user)', `${s}${q(`initiator:${l.busiest.username}`)}`, 'owner'],
    ['sessions: client "Claude Code"', `${s}${q('client:"Claude Code"')}`, 'owner'],
    ['sessions: client Cursor', `${s}${q('client:Cursor')}`, 'owner'],
    ['sessions: model gpt-5', `${s}${q('model:gpt-5')}`, 'owner'],
    ['sessions: 1-day range', `${s}${q(range)}`, 'owner'],
    ['sessions: model + 1-day range', `${s}${q(`model:gpt-5 ${range}`)}`, 'owner'],
    [
      'sessions: deep cursor (75 days back)',
      `${s}?after_session_id=${encodeURIComponent(l.deep.session_id)}&after_initiator_id=${l.deep.initiator_id}`,
      'owner',
    ],
    ['sessions: member, own only', s, 'member'],
    [
      'session detail (500 interceptions)',
      `${s}/${encodeURIComponent(l.big.session_id)}?initiator=${l.big.initiator_id}`,
      'owner',
    ],
    ['interceptions: first page', '/api/v2/aibridge/interceptions', 'owner'],
    ['interceptions: model gpt-5', `/api/v2/aibridge/interceptions${q('model:gpt-5')}`, 'owner'],
    ['models', '/api/v2/aibridge/models', 'owner'],
    ['clients', '/api/v2/aibridge/clients', 'owner'],
    // Whole hours come from the hourly rollup (before it: 52 s on 10m, 2 runs only).
    ['usage: 90 days by day', '/api/v2/aibridge/usage', 'owner'],
    ['usage: member, 90 days by day', '/api/v2/aibridge/usage', 'member'],
    ['usage: 1 day by hour', `/api/v2/aibridge/usage${q(range)}&bucket=hour`, 'owner'],
    ['spend: by user', '/api/v2/aibridge/spend?group_by=user', 'owner'],
    ['spend: by model', '/api/v2/aibridge/spend?group_by=model', 'owner'],
    ['spend: member, by model', '/api/v2/aibridge/spend?group_by=model', 'member'],
  ];
}

async function prepareDataset(size) {
  const url = `${args.url}/aibridge_bench_${size}`;
  const db = await Database.open({ url, poolSize: 1 });
  await db.migrate(); // a newer build's migrations (and backfills) run here, not inside a timing
  await db.kysely.deleteFrom('api_keys').where('token_name', '=', 'bench-member').execute();
  await new ApiKeyStore(db.kysely).create({
    userId: (
      await db.kysely
        .selectFrom('users')
        .select('id')
        .where('username', '=', 'user001')
        .executeTakeFirstOrThrow()
    ).id,
    tokenName: 'bench-member',
    lifetimeSeconds: 86_400,
    presetToken: parseToken(MEMBER_TOKEN),
  });
  await db.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const marks = await landmarks(client);
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM aibridge_interceptions) AS interceptions,
       (SELECT count(*) FROM aibridge_token_usages) AS tokens,
       pg_size_pretty(pg_database_size(current_database())) AS size,
       (SELECT value FROM bench_info WHERE key = 'generate_seconds') AS generate_seconds`,
  );
  await client.end();
  return { url, marks, info: rows[0] };
}

async function startServer(url) {
  const server = spawn(
    process.execPath,
    [new URL('../bin/aibridge.js', import.meta.url).pathname, 'server'],
    {
      env: {
        ...process.env,
        AIBRIDGE_DATABASE_URL: url,
        AIBRIDGE_BOOTSTRAP_TOKEN: OWNER_TOKEN,
        AIBRIDGE_HTTP_ADDRESS: `127.0.0.1:${PORT}`,
        AIBRIDGE_RETENTION: '0', // the dataset spans 90 days; nothing may be deleted under the benchmark
        AIBRIDGE_LOG_LEVEL: 'warn',
        AIBRIDGE_DATA_DIR: '/tmp/aibridge-bench-api',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/api/v2/buildinfo`)).ok) return server;
    } catch {}
    await sleep(100);
  }
  server.kill();
  throw new Error('aibridge server did not start');
}

async function timed(path, token) {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    headers: { 'Coder-Session-Token': token },
  });
  const body = await response.text();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(size) {
  const { url, marks, info } = await prepareDataset(size);
  const server = await startServer(url);
  const results = [];
  try {
    for (const [name, path, who, runs = RUNS] of cases(marks).filter(([name]) => name.includes(args.cases))) {
      const token = who === 'owner' ? OWNER_TOKEN : MEMBER_TOKEN;
      let body = '';
      for (let i = 0; i < (runs < 10 ? 1 : 3); i++) body = (await timed(path, token)).body;
      const times = [];
      for (let i = 0; i < runs; i++) times.push((await timed(path, token)).ms);
      times.sort((a, b) => a - b);
      const parsed = JSON.parse(body);
      const rows =
        parsed.sessions?.length ?? parsed.results?.length ?? parsed.threads?.length ?? parsed.length ?? '';
      const firstPage =
        name.startsWith('sessions') ||
        name.startsWith('interceptions') ||
        name.startsWith('session ') ||
        name === 'models' ||
        name === 'clients';
      results.push({
        name,
        runs,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        count: parsed.count ?? '',
        rows,
        firstPage,
      });
      const r = results.at(-1);
      console.log(
        `${size.padEnd(4)} ${name.padEnd(40)} p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  count ${r.count}`,
      );
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  return { size, info, results };
}

// Each part (a size, the write cost, the plans) is measured in its own run if need be (a
// locked job stays short); bench/results/api.json keeps the latest of each, api.md shows all.
const sizes = args.size.split(',').filter(Boolean);
const statePath = new URL('./results/api.json', import.meta.url);
const parts = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : {};
const stamp = () =>
  `measured until ${new Date().toISOString()}, load average then ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** A result as its table row. */
const rowOf = (r, target) =>
  `| ${r.name} | ${r.runs} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.count} | ${r.rows} | ${r.firstPage ? (r.p95 <= target ? 'MET' : 'NOT MET') : '—'} |`;

for (const size of sizes) {
  const { info, results } = await measure(size);
  const target = TARGET_MS[size];
  if (args.cases && parts[size]) {
    // Only some cases re-measured: their rows replace the old ones, the rest stays as measured.
    let part = parts[size].replace(/\n_Re-measured: [^\n]*_\n/g, '\n');
    for (const r of results) {
      const lines = part.split('\n');
      const at = lines.findIndex((line) => line.startsWith(`| ${r.name} |`));
      // A new case goes after the table's last row.
      if (at >= 0) lines[at] = rowOf(r, target);
      else lines.splice(lines.findLastIndex((line) => line.startsWith('| ')) + 1, 0, rowOf(r, target));
      part = lines.join('\n');
    }
    parts[size] = `${part.trimEnd()}\n\n_Re-measured: cases matching "${args.cases}", ${stamp()}._\n`;
    continue;
  }
  parts[size] = [
    `## ${size}: ${Number(info.interceptions).toLocaleString('en')} interceptions, ${Number(info.tokens).toLocaleString('en')} token rows, ${info.size} (generated in ${info.generate_seconds ?? '?'} s)`,
    '',
    `${stamp()}. p50/p95 over sequential requests after up to 3 warm-ups; target for first pages: p95 ≤ ${target} ms.`,
    '',
    '| case | runs | p50 ms | p95 ms | count | rows | target |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...results.map((r) => rowOf(r, target)),
    '',
  ].join('\n');
}
if (args.plans) {
  const plans = await explainPlans(`${args.url}/aibridge_bench_10m`);
  writeFileSync(new URL('./results/api-plans-10m.txt', import.meta.url), plans.full);
  parts.plans = [
    '## Plans on 10m (EXPLAIN ANALYZE, BUFFERS)',
    '',
    `${stamp()}. Every statement the stores run for the filtered lists; full plans in \`bench/results/api-plans-10m.txt\`.`,
    '',
    plans.summary,
    '',
  ].join('\n');
}
if (args['write-cost']) {
  const writes = await measureWriteCost(10_000, 3);
  parts.writes = [
    '## What the summary and usage-rollup triggers cost the recorder',
    '',
    `${stamp()}. The real DatabaseRecorder (start row; 4 token rows, 1 prompt, 2 tool calls and the end in batches; 64 in flight) on a fresh PostgreSQL database, ${writes.count.toLocaleString('en')} interceptions, median of ${writes.rounds} alternating rounds (\`node bench/api-write-cost.mjs\`):`,
    '',
    '| triggers | interceptions/s |',
    '|---|---:|',
    `| disabled (before) | ${writes.off.toFixed(0)} |`,
    `| session summaries only | ${writes.summary.toFixed(0)} (${((1 - writes.summary / writes.off) * 100).toFixed(0)}% fewer) |`,
    `| summaries + usage rollup | ${writes.on.toFixed(0)} (${((1 - writes.on / writes.off) * 100).toFixed(0)}% fewer; rollup ${((1 - writes.on / writes.summary) * 100).toFixed(0)}%) |`,
    '',
  ].join('\n');
}
if (!args['no-write']) {
  writeFileSync(statePath, `${JSON.stringify(parts, null, 1)}\n`);
  const header = await machineHeader('API listing at scale (`npm run bench:api`)', `${args.url}/postgres`);
  const body = ['1m', '10m', 'plans', 'writes', 'notes'].flatMap((key) => (parts[key] ? [parts[key]] : []));
  writeFileSync(new URL('./results/api.md', import.meta.url), `${[header, '', ...body].join('\n')}\n`);
  console.log('wrote bench/results/api.md');
}
