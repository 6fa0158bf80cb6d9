#!/usr/bin/env node
// `npm run bench:gateway`: aibridge's overhead next to calling the fake provider directly, nginx
// (one bare extra hop) and Portkey, all measured in the same run with the harness in
// bench/harness, interleaved scenario by scenario, ROUNDS times; then streaming TTFB, 256
// slow streams, and an RSS soak. aibridge records into a private PostgreSQL 15 cluster (its
// CPU and memory count as aibridge's) and, as a second row, into embedded PGlite. After every
// aibridge run the recorded interceptions and token sums are checked against what the fake served.
// Writes bench/results/gateway.md (+ gateway.json and the raw TSVs beside it).
//   PARTS="table probe streams soak"  ROUNDS=3 DURATION=5 CONNS="1 16 64" SOAK_SECONDS=600 ...
//   BUDGETS=1 gives each aibridge a default budget (admission and reservation on every request).
// Variants: more aibridge rows beside aibridge-pg in the SAME table run, so a comparison is not
// across runs. Each variant is its own aibridge with its own private PostgreSQL cluster (same
// settings, CPU 1, its CPU and memory counted as the row's), run interleaved with the others per
// scenario × concurrency, in an order rotated every round; rows are labelled aibridge-pg-<name>.
//   VARIANTS="budgets fast base=/work/wt/bench-base"   (space-separated; parts joined by + combine)
//     budgets       a default budget far above what a run spends: admission, reservation and
//                   settlement on every request (the bench's models are priced)
//     fast          AIBRIDGE_RECORDING_MODE=fast (aibridge-pg is the default, durable)
//     NAME=/path    the build in another checkout (npm ci there builds it), e.g. main before a change:
//                   git worktree add --detach /work/wt/bench-base <commit> && (cd … && npm ci);
//                   NAME+budgets=/path (or +fast) runs that build with the setting
//   COMBOS="chat@1 chat@16 messages-stream@16"  these scenario@conns pairs instead of SCENARIOS × CONNS
//   SECTION=<name>  writes the table run into bench/results/gateway-variants.{json,md} under that
//                   name (other sections kept) instead of gateway.{json,md}; ABOUT="…" describes it
//   REFERENCE=aibridge-pg  the row variants are compared with, round by round (paired)
//   FLOOR=0|1       pgbench floor of the start-row commit after the table (default 1, 0 with SECTION)
//   CPU_PROF=<dir>  runs every aibridge under node --cpu-prof, profiles in <dir>/<label>/ at exit
//                   (profiling slows it: measure and profile in separate runs)
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cpuSpent,
  cpuUs,
  ensurePortkey,
  ensureTools,
  HARNESS,
  harnessEnv,
  PB_STATE,
  PORTS,
  peers,
  pssMb,
  ROOT,
  restartUpstream,
  rssMb,
  STATE,
  sleep,
  startAibridge,
  startPostgres,
  TOKEN,
  tree,
} from './procs.mjs';
import { machine, render } from './report.mjs';
import { renderVariants, revision } from './variants-report.mjs';
import { Ledger } from './verify.mjs';

const env = process.env;
const list = (v, d) => (v ?? d).split(/\s+/).filter(Boolean);
const PARTS = list(env.PARTS, 'table probe streams soak');
const ROUNDS = Number(env.ROUNDS || 3);
const SCENARIOS = list(env.SCENARIOS, 'chat chat-stream messages-stream responses-stream');
const CONNS = list(env.CONNS, '1 16 64');
const PADS = list(env.PADS_KB, '64 1024');
const PAD_SCENARIOS = list(env.PAD_SCENARIOS, 'chat messages-stream');
const PAD_CONNS = list(env.PAD_CONNS, '1 16');
const PEERS = list(env.PEERS, 'nginx portkey');
const DBS = list(env.DBS, 'pg pglite');
const DURATION = env.DURATION || '5';
const WARMUP = env.WARMUP || '1';
const VARIANTS = list(env.VARIANTS, '').map(parseVariant);
const SECTION = env.SECTION;
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const JSON_FILE = join(RESULTS_DIR, SECTION ? 'gateway-variants.json' : 'gateway.json');
const RUN_ID = env.RUN_ID || new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const AIBRIDGE_PORT = {
  pg: Number(env.AIBRIDGE_PORT_PG || 3311),
  pglite: Number(env.AIBRIDGE_PORT_PGLITE || 3312),
};

mkdirSync(join(STATE, 'results'), { recursive: true });
mkdirSync(RESULTS_DIR, { recursive: true });
const stored = existsSync(JSON_FILE) ? JSON.parse(readFileSync(JSON_FILE, 'utf8')) : {};
// with SECTION, this run's results are one section of gateway-variants.json
if (SECTION) {
  stored.sections ??= {};
  stored.sections[SECTION] ??= {};
}
const results = SECTION ? stored.sections[SECTION] : stored;
const save = (print = false) => {
  writeFileSync(JSON_FILE, `${JSON.stringify(stored, null, 2)}\n`);
  if (SECTION) renderVariants(stored, print);
  else render(results, print);
};

/** One VARIANTS entry: `budgets`, `fast`, `fast+budgets`, or `NAME=/path/to/a/built/checkout`. */
function parseVariant(spec, index) {
  const [name, path] = spec.split('=');
  const v = {
    name,
    root: ROOT,
    extraEnv: {},
    budget: false,
    port: Number(env.VARIANT_PORT_BASE || 3321) + index,
    pgPort: PORTS.pg + 1 + index,
  };
  if (path) {
    if (!existsSync(join(path, 'dist', 'main.js')))
      throw new Error(`VARIANTS ${spec}: no build in ${path} (run npm ci there)`);
    v.root = path;
  }
  for (const part of name.split('+')) {
    if (part === 'budgets') v.budget = true;
    else if (part === 'fast' || part === 'durable') v.extraEnv.AIBRIDGE_RECORDING_MODE = part;
    // with a build, the other parts only name it (main+budgets=/path: that build with a budget)
    else if (!path)
      throw new Error(`VARIANTS: unknown variant ${part} (budgets, fast, durable or NAME=/path)`);
  }
  return v;
}

/** Started processes, stopped on exit whatever happens. */
const stops = [];
async function stopAll() {
  while (stops.length) await stops.pop()();
}
process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

async function startInstances() {
  const inst = {};
  let pg;
  if (DBS.includes('pg')) {
    pg = await startPostgres();
    stops.push(async () => pg.stop());
    inst.pg = await startAibridge({
      name: 'pg',
      port: AIBRIDGE_PORT.pg,
      databaseUrl: pg.url,
      extraArgs: profArgs('pg'),
    });
    inst.pg.pg = pg;
    stops.push(() => inst.pg.stop());
  }
  if (DBS.includes('pglite')) {
    inst.pglite = await startAibridge({
      name: 'pglite',
      port: AIBRIDGE_PORT.pglite,
      extraArgs: profArgs('pglite'),
    });
    stops.push(() => inst.pglite.stop());
  }
  for (const v of VARIANTS) {
    const key = `pg-${v.name}`;
    const vpg = await startPostgres({ name: key, port: v.pgPort });
    stops.push(async () => vpg.stop());
    inst[key] = await startAibridge({
      name: key,
      port: v.port,
      databaseUrl: vpg.url,
      root: v.root,
      extraEnv: v.extraEnv,
      extraArgs: profArgs(key),
    });
    inst[key].pg = vpg;
    inst[key].variant = v;
    stops.push(() => inst[key].stop());
  }
  for (const i of Object.values(inst)) i.ledger = new Ledger(i);
  for (const i of Object.values(inst)) if (env.BUDGETS === '1' || i.variant?.budget) await withBudget(i);
  return { inst, pg };
}

/** CPU_PROF=<dir>: node --cpu-prof for one aibridge (written when it exits). */
function profArgs(key) {
  if (!env.CPU_PROF) return [];
  const dir = join(env.CPU_PROF, label(key));
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** BUDGETS=1: a default budget far above what a run spends, so every request passes admission. */
async function withBudget(i) {
  const res = await fetch(`${i.url}/api/v2/aibridge/budgets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'default', limit_usd: '1000000', period: 'month' }),
  });
  if (res.status !== 201)
    throw new Error(`BUDGETS=1: could not set a budget: ${res.status} ${await res.text()}`);
}

const label = (db) => `aibridge-${db}`;
const gwPids = (i) => [i.pid, ...(i.pg ? [i.pg.pid] : [])].join(' ');
const authEnv = (i) => ({
  AIBRIDGE_URL: i.url,
  AIBRIDGE_AUTH: `Authorization: Bearer ${TOKEN}`,
  LABEL: label(i.name),
  GW_PID: gwPids(i),
});

/** One run.sh call (one scenario × one concurrency), echoing its row; aibridge runs are sampled and verified. */
async function runOne(target, i, { sc, c, pad, results: tsv, extra = {}, memory = false }) {
  const e = harnessEnv({
    SCENARIOS: sc,
    CONNS: c,
    BODY_PAD_KB: String(pad),
    HEADER: '0',
    DURATION,
    WARMUP,
    RESULTS: tsv,
    ...(i ? authEnv(i) : {}),
    ...extra,
  });
  const after = i ? await i.ledger.around(sc, pad) : undefined;
  const peak = { rss: 0, pgPss: 0 };
  const pgPids = i?.pg ? tree(i.pg.pid) : [];
  const cpu0 = i ? { node: cpuUs([i.pid]), pg: cpuUs(pgPids) } : undefined;
  const child = spawn(join(HARNESS, 'run.sh'), [i ? 'aibridge' : target], {
    env: e,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    process.stdout.write(d);
  });
  const done = new Promise((r) => child.on('exit', r));
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    if (i) {
      peak.rss = Math.max(peak.rss, rssMb(i.pid).rss);
      if (pgPids.length) peak.pgPss = Math.max(peak.pgPss, pssMb(pgPids));
    }
    await Promise.race([done, sleep(250)]);
  }
  if (!i) return { out };
  // PostgreSQL backends started during the call (a pool that closed idle connections) count too
  const cpu1 = { node: cpuUs([i.pid]), pg: cpuUs(i.pg ? tree(i.pg.pid) : []) };
  const check = await after(`${label(i.name)} ${sc} c=${c} pad=${pad}`);
  // the aibridge process and its PostgreSQL apart, over the whole run.sh call (warmup included)
  const served = i.ledger.checks.at(-1)?.served ?? 0;
  if (memory && served > 0) {
    results.split ??= [];
    results.split.push({
      label: label(i.name),
      scenario: sc,
      conns: Number(c),
      padKb: Number(pad),
      nodeUsReq: cpuSpent(cpu0.node, cpu1.node) / served,
      pgUsReq: cpuSpent(cpu0.pg, cpu1.pg) / served,
    });
  }
  if (!check.ok) console.log(`!! recording mismatch ${label(i.name)} ${sc} c=${c}: ${check.diff.join('; ')}`);
  results.memory ??= [];
  if (memory)
    results.memory.push({
      label: label(i.name),
      scenario: sc,
      conns: Number(c),
      padKb: Number(pad),
      rssMb: peak.rss,
      pgPssMb: peak.pgPss,
    });
  return { out, check };
}

async function partTable() {
  if (PEERS.includes('portkey')) ensurePortkey();
  restartUpstream();
  stops.push(async () => peers('stop', ['upstream']));
  if (PEERS.length) {
    peers('start', PEERS);
    stops.push(async () => peers('stop', PEERS));
  }
  const { inst, pg } = await startInstances();
  const gateways = Object.keys(inst);
  const targets = ['direct', ...PEERS, ...gateways];
  // aibridge rows in a different order each round, so none always runs right after a peer
  const roundTargets = (r) => {
    const k = VARIANTS.length ? (r - 1) % gateways.length : 0;
    return ['direct', ...PEERS, ...gateways.slice(k), ...gateways.slice(0, k)];
  };
  const combos = [];
  if (env.COMBOS)
    for (const sc of list(env.COMBOS)) {
      const [name, c] = sc.split('@');
      combos.push({ sc: name, c, pad: 0 });
    }
  else for (const sc of SCENARIOS) for (const c of CONNS) combos.push({ sc, c, pad: 0 });
  for (const pad of PADS)
    for (const sc of PAD_SCENARIOS) for (const c of PAD_CONNS) combos.push({ sc, c, pad: Number(pad) });
  // RUN_ID of the previous table run: these rounds are added to it (one locked job per round)
  const append = Boolean(env.RUN_ID) && results.table?.runId === RUN_ID;
  if (!append) {
    results.table = {
      runId: RUN_ID,
      rounds: 0,
      duration: Number(DURATION),
      targets: [],
      tsv: {},
      load: [],
      checks: {},
      hwm: {},
    };
    results.memory = [];
    results.split = [];
  }
  results.table.targets = targets.map((t) => (inst[t] ? label(t) : t));
  results.machine = machine((pg ?? Object.values(inst).find((i) => i.pg)?.pg)?.version);
  results.table.builds = Object.fromEntries(
    Object.values(inst).map((i) => [label(i.name), revision(i.variant?.root ?? ROOT)]),
  );
  results.table.variants = Object.fromEntries(
    VARIANTS.map((v) => [
      label(`pg-${v.name}`),
      { budget: v.budget, env: v.extraEnv, root: v.root === ROOT ? undefined : v.root },
    ]),
  );
  results.table.command = knobs();
  if (env.ABOUT) results.about = env.ABOUT;
  if (env.REFERENCE) results.reference = env.REFERENCE;
  const load = { before: execFileSync('uptime', { encoding: 'utf8' }).trim() };
  const rawName = (pad) =>
    SECTION ? `variants-${SECTION.replace(/[^\w-]+/g, '-')}-pad${pad}.tsv` : `pad${pad}.tsv`;
  for (let r = 1; r <= ROUNDS; r++) {
    console.log(`## round ${results.table.rounds + r} (run ${RUN_ID})`);
    for (const combo of combos) {
      const tsv = join(STATE, 'results', `${RUN_ID}-pad${combo.pad}.tsv`);
      results.table.tsv[combo.pad] = `gateway-raw/${rawName(combo.pad)}`;
      for (const t of roundTargets(results.table.rounds + r))
        await runOne(t, inst[t], { ...combo, results: tsv, memory: true });
    }
  }
  results.table.rounds += ROUNDS;
  results.table.load.push({ ...load, after: execFileSync('uptime', { encoding: 'utf8' }).trim() });
  for (const i of Object.values(inst)) {
    const l = label(i.name);
    results.table.hwm[l] = Math.max(results.table.hwm[l] ?? 0, rssMb(i.pid).hwm);
    results.table.checks[l] = [...(results.table.checks[l] ?? []), ...i.ledger.checks];
  }
  results.table.stats = {};
  for (const i of Object.values(inst)) results.table.stats[label(i.name)] = await recorderStats(i);
  // a budgeted row's spend proves admission and settlement ran (the bench's models are priced)
  results.table.budgets = {};
  for (const i of Object.values(inst))
    if (env.BUDGETS === '1' || i.variant?.budget)
      results.table.budgets[label(i.name)] = await (
        await fetch(`${i.url}/api/v2/aibridge/budgets/me`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json();
  if (pg && (env.FLOOR ?? (SECTION ? '0' : '1')) === '1') results.floor = pgFloor(pg);
  mkdirSync(join(RESULTS_DIR, 'gateway-raw'), { recursive: true });
  for (const pad of Object.keys(results.table.tsv)) {
    copyFileSync(
      join(STATE, 'results', `${RUN_ID}-pad${pad}.tsv`),
      join(RESULTS_DIR, 'gateway-raw', rawName(pad)),
    );
  }
  await stopAll();
  save();
}

/** The knobs this run was started with, for the results file. */
function knobs() {
  const names = [
    'PARTS',
    'ROUNDS',
    'DURATION',
    'WARMUP',
    'SCENARIOS',
    'CONNS',
    'COMBOS',
    'PADS_KB',
    'PEERS',
    'DBS',
  ];
  const set = [...names, 'VARIANTS', 'SECTION', 'REFERENCE', 'BUDGETS', 'CPU_PROF'].filter(
    (n) => env[n] !== undefined,
  );
  return `${set.map((n) => `${n}=${JSON.stringify(env[n])}`).join(' ')} npm run bench:gateway`;
}

/** The recorder's group-commit figures from /metrics (rows per start statement). */
async function recorderStats(i) {
  const text = await (await fetch(`${i.url}/metrics`)).text();
  const pick = (name) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.startsWith('aibridge_recorder_') || l.startsWith('aibridge_db'))
      .map((l) => l.split(' '))
      .filter((p) => p.length === 2)
      .map(([k, v]) => [k, Number(v)])
      .concat([['_rss', pick('process_resident_memory_bytes')]]),
  );
}

/**
 * The floor the durable start row sets: one client, one synchronous single-row INSERT per
 * transaction on the same cluster — a bare table, and aibridge's own interceptions table with
 * its indexes — and the same asynchronously committed, for contrast.
 */
function pgFloor(pg) {
  pg.psql(
    'CREATE TABLE IF NOT EXISTS bench_floor (id uuid PRIMARY KEY, initiator_id uuid, model text, metadata jsonb, started_at timestamptz)',
  );
  const user = pg.psql('SELECT id FROM users ORDER BY created_at LIMIT 1');
  const scripts = {
    bare: 'INSERT INTO bench_floor VALUES (gen_random_uuid(), gen_random_uuid(), \'gpt-4o-mini\', \'{"Username":"bench"}\', now());\n',
    interceptions:
      'INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, model, client, metadata, started_at) ' +
      `VALUES (gen_random_uuid(), '${user}', 'benchowner', 'openai', 'gpt-4o-mini', 'Unknown', '{"Username":"bench"}', now());\n`,
  };
  const run = (name) => {
    const script = join(STATE, `floor-${name}.sql`);
    writeFileSync(script, scripts[name]);
    execFileSync('chmod', ['644', script]);
    const out = pg.pgbench(['-n', '-c', '1', '-T', '5', '-f', script, 'postgres']);
    return Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
  };
  const floor = { syncInsertMs: run('bare'), syncInterceptionInsertMs: run('interceptions') };
  pg.psql('ALTER SYSTEM SET synchronous_commit = off');
  pg.psql('SELECT pg_reload_conf()');
  floor.asyncInsertMs = run('bare');
  floor.asyncInterceptionInsertMs = run('interceptions');
  pg.psql('ALTER SYSTEM RESET synchronous_commit');
  pg.psql('SELECT pg_reload_conf()');
  return floor;
}

async function partProbe() {
  restartUpstream({ FAKE_DELAY_MS: '50', FAKE_CHUNK_DELAY_MS: '5' });
  const probePeers = PEERS.filter((p) => p === 'nginx');
  if (probePeers.length) peers('start', probePeers);
  stops.push(async () => probePeers.length && peers('stop', probePeers));
  const { inst } = await startInstances();
  const tsv = join(STATE, 'results', `${RUN_ID}-probe.tsv`);
  const rows = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const sc of list(env.PROBE_SCENARIOS, 'chat-stream messages-stream responses-stream'))
      for (const t of ['direct', ...probePeers, ...Object.keys(inst)]) {
        const { out } = await runOne(t, inst[t], {
          sc,
          c: '1',
          pad: 0,
          results: tsv,
          extra: { PROBE: '1', PROBE_N: env.PROBE_N || '20' },
        });
        for (const line of out.split('\n')) {
          const m = /^(\S+) (\S+) PROBE .*ttfb_p50_ms=([\d.]+) total_p50_ms=([\d.]+) reads_p50=(\d+)/.exec(
            line,
          );
          if (m)
            rows.push({
              label: m[1],
              scenario: m[2],
              ttfbMs: Number(m[3]),
              totalMs: Number(m[4]),
              reads: Number(m[5]),
            });
        }
      }
  }
  results.probe = {
    rows,
    checks: Object.fromEntries(Object.values(inst).map((i) => [label(i.name), i.ledger.checks])),
  };
  await stopAll();
  restartUpstream();
  save();
}

async function partStreams() {
  restartUpstream({ FAKE_CHUNK_DELAY_MS: '20' });
  const { inst } = await startInstances();
  const n = env.STREAMS || '256';
  const secs = env.STREAM_SECONDS || '10';
  const rows = [];
  for (const sc of list(env.STREAM_SCENARIOS, 'chat-stream messages-stream')) {
    for (const t of ['direct', ...Object.keys(inst)]) {
      const i = inst[t];
      // one quick run.sh check writes the body file and proves the route works
      await runOne(t, i, {
        sc,
        c: '1',
        pad: 0,
        results: join(STATE, 'results', `${RUN_ID}-streams-check.tsv`),
        extra: { DURATION: '1', WARMUP: '0' },
      });
      const after = i ? await i.ledger.around(sc, 0) : undefined;
      const prefix = sc.startsWith('messages')
        ? '/api/v2/aibridge/anthropic/v1'
        : '/api/v2/aibridge/openai/v1';
      const path = sc.startsWith('messages')
        ? '/messages'
        : sc.startsWith('responses')
          ? '/responses'
          : '/chat/completions';
      const url = i ? `${i.url}${prefix}${path}` : `http://127.0.0.1:${harnessEnv().UPSTREAM_PORT}/v1${path}`;
      const out = execFileSync(
        'taskset',
        [
          '-c',
          '0',
          process.execPath,
          join(ROOT, 'bench/gateway/streams.mjs'),
          url,
          join(PB_STATE, 'bodies', `${sc}-pad0.json`),
          n,
          secs,
        ],
        { encoding: 'utf8', env: { ...env, WRK_HEADERS: i ? `Authorization: Bearer ${TOKEN}` : '' } },
      );
      const res = JSON.parse(out.trim().split('\n').pop());
      const check = after ? await after(`${t} streams ${sc}`) : undefined;
      rows.push({ label: i ? label(t) : t, scenario: sc, ...res, recordedOk: check?.ok, diff: check?.diff });
      console.log(
        `${i ? label(t) : t} ${sc} streams=${n} completed=${res.completed} failed=${res.failed} maxGap=${res.maxGapMs.toFixed(1)}ms stalls=${res.stalls} maxTtfb=${res.maxTtfbMs.toFixed(1)}ms ${check ? `recorded ok=${check.ok}` : ''}`,
      );
    }
  }
  results.streams = { rows, chunkDelayMs: 20 };
  await stopAll();
  restartUpstream();
  save();
}

async function partSoak() {
  const secs = Number(env.SOAK_SECONDS || 600);
  restartUpstream();
  const saved = DBS.slice();
  DBS.splice(0, DBS.length, ...(env.SOAK_DBS ? list(env.SOAK_DBS) : ['pg']));
  const { inst } = await startInstances();
  DBS.splice(0, DBS.length, ...saved);
  const out = {};
  for (const i of Object.values(inst)) {
    const pgPids = i.pg ? tree(i.pg.pid) : [];
    const scs = ['chat-stream', 'messages-stream'];
    for (const sc of scs)
      await runOne('aibridge', i, {
        sc,
        c: '1',
        pad: 0,
        results: join(STATE, 'results', `${RUN_ID}-soak-check.tsv`),
        extra: { DURATION: '1', WARMUP: '0' },
      });
    const before = {
      'chat-stream': await i.ledger.around('chat-stream', 0),
      'messages-stream': await i.ledger.around('messages-stream', 0),
    };
    const conns = env.SOAK_CONNS || '8';
    const wrks = scs.map((sc) => {
      const prefix = sc.startsWith('messages')
        ? '/api/v2/aibridge/anthropic/v1/messages'
        : '/api/v2/aibridge/openai/v1/chat/completions';
      return spawn(
        'taskset',
        [
          '-c',
          '0',
          'wrk',
          '-t1',
          `-c${conns}`,
          `-d${secs}s`,
          '--timeout',
          '30s',
          '-s',
          join(HARNESS, 'post.lua'),
          `${i.url}${prefix}`,
        ],
        {
          env: {
            ...env,
            WRK_BODY_FILE: join(PB_STATE, 'bodies', `${sc}-pad0.json`),
            WRK_HEADERS: `Authorization: Bearer ${TOKEN}`,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
    });
    const wrkOut = wrks.map((w) => {
      let s = '';
      w.stdout.on('data', (d) => (s += d));
      return new Promise((r) => w.on('exit', () => r(s)));
    });
    const samples = [];
    const t0 = Date.now();
    let running = true;
    void Promise.all(wrkOut).then(() => (running = false));
    while (running) {
      const { rss } = rssMb(i.pid);
      samples.push({
        t: (Date.now() - t0) / 1000,
        rssMb: rss,
        pgPssMb: pgPids.length ? pssMb(tree(i.pg.pid)) : 0,
      });
      if (samples.length % 12 === 0)
        console.log(
          `soak ${label(i.name)} t=${samples.at(-1).t.toFixed(0)}s rss=${rss.toFixed(1)}MB pg=${samples.at(-1).pgPssMb.toFixed(1)}MB`,
        );
      await sleep(5000);
    }
    const lines = await Promise.all(wrkOut);
    // the two scenarios ran at once: both counters moved; verify once with both added
    await before['chat-stream'](`${label(i.name)} soak chat-stream`, false);
    const check = await before['messages-stream'](`${label(i.name)} soak chat-stream + messages-stream`);
    const requests = lines.reduce((n, l) => n + Number(/requests=(\d+)/.exec(l)?.[1] ?? 0), 0);
    out[label(i.name)] = {
      seconds: secs,
      conns: Number(conns) * 2,
      requests,
      samples,
      recordedOk: check.ok,
      diff: check.diff,
    };
  }
  results.soak = out;
  await stopAll();
  save();
}

/**
 * V8 heap tuning against peak RSS: the same 64-connection runs with aibridge's default flags and
 * with --heap-growing-percent=20 (old space grows by 1.2× between major GCs instead of V8's
 * dynamic factor), fresh instance each, interleaved, ROUNDS times.
 */
async function partMemflags() {
  restartUpstream();
  const variants = { default: [], growing20: ['--heap-growing-percent=20'] };
  const tsv = join(STATE, 'results', `${RUN_ID}-memflags.tsv`);
  const rows = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, extraArgs] of Object.entries(variants)) {
      const pg = await startPostgres();
      const i = await startAibridge({ name: `flags-${name}`, port: 3313, databaseUrl: pg.url, extraArgs });
      i.pg = pg;
      i.ledger = new Ledger(i);
      for (const sc of list(env.MEMFLAGS_SCENARIOS, 'chat messages-stream responses-stream')) {
        const { check } = await runOne('aibridge', i, { sc, c: '64', pad: 0, results: tsv, memory: true });
        rows.push({ variant: name, scenario: sc, rssMb: results.memory.at(-1).rssMb, recordedOk: check.ok });
      }
      await i.stop();
      pg.stop();
    }
  }
  mkdirSync(join(RESULTS_DIR, 'gateway-raw'), { recursive: true });
  copyFileSync(tsv, join(RESULTS_DIR, 'gateway-raw', 'memflags.tsv'));
  results.memflags = { rows, tsv: 'gateway-raw/memflags.tsv', flags: variants };
  save();
}

const PART_FNS = {
  table: partTable,
  probe: partProbe,
  streams: partStreams,
  soak: partSoak,
  memflags: partMemflags,
};
try {
  if (!existsSync(join(ROOT, 'dist', 'main.js')))
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  ensureTools();
  for (const p of PARTS) {
    if (p === 'report') continue;
    console.log(
      `# part ${p} (${new Date().toISOString()}, ${execFileSync('uptime', { encoding: 'utf8' }).trim()})`,
    );
    await PART_FNS[p]();
  }
  save(true);
} finally {
  await stopAll();
}
