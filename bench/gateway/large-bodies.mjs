#!/usr/bin/env node
// `npm run bench:gateway:bodies`: what a large agent request costs aibridge. Claude Code
// bodies of 50 KB, 300 KB, 1 MB and 3 MB (bench/gateway/bodies.mjs) are sent one at a time
// through aibridge (recording into PostgreSQL, durable and fast recording modes) and straight
// to the fake provider, streaming; per size it reports the gateway's CPU per request (from
// /proc, the aibridge process only; the kernel's share and the minor page faults beside it)
// and its added latency (p50 of aibridge minus p50 direct).
// The requests of one size go to every target in turn (direct, each gateway, nginx, one after
// another), so the shared machine's load falls on all of them alike.
// PROFILE=<dir> runs aibridge under `node --cpu-prof` and leaves the profiles there.
// nginx (bench/harness/nginx.conf, when /usr/sbin/nginx exists) is measured in the same run as
// the one-bare-hop peer: its CPU per request and Δp50 beside aibridge's.
// BASELINE=<another checkout, built> measures that build too, in the same run (rows "baseline").
//   SIZES_KB="50 300 1024 3072"  MODES="durable fast"  REQUESTS=<per size, default by size>
//   DATABASE_URL=postgres://… (default the local server; a database per gateway is created and dropped)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { agentBody, agentHeaders } from './bodies.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const env = process.env;
const SIZES = (env.SIZES_KB || '50 300 1024 3072').split(/\s+/).filter(Boolean).map(Number);
const MODES = (env.MODES || 'durable fast').split(/\s+/).filter(Boolean);
const SERVER = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 'benchowner-abcdefghijklmnopqrstuv';
const CLK_TCK = 100;
const requestsFor = (kb) =>
  Number(env.REQUESTS || (kb <= 64 ? 300 : kb <= 512 ? 150 : kb <= 1100 ? 100 : 50));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A process's CPU so far (utime + stime, and stime alone, in milliseconds) and its minor page faults. */
function usage(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const sys = (Number(fields[12]) * 1000) / CLK_TCK;
  return { cpu: (Number(fields[11]) * 1000) / CLK_TCK + sys, sys, faults: Number(fields[7]) };
}

async function waitFor(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

function start(args, extraEnv, log) {
  const child = spawn(process.execPath, args, {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  child.on('exit', (code) => {
    if (code && log) console.error(output.slice(-2000));
    if (env.GATEWAY_LOG && args.includes('server')) writeFileSync(env.GATEWAY_LOG, output);
  });
  return child;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function send(url, body, headers) {
  const began = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return performance.now() - began;
}

const p50 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Sends `n` requests one at a time to each target, interleaved (one to each in turn), so that a
 * busy moment of the shared machine falls on every target alike; per target the latency p50 and
 * (for a pid) its CPU per request over the whole loop (its background work included).
 */
async function measureAll(targets, body, headers, n) {
  for (let i = 0; i < Math.min(10, n); i++) for (const t of targets) await send(t.url, body, headers);
  const before = targets.map((t) => (t.pid ? usage(t.pid) : undefined));
  const latencies = targets.map(() => []);
  for (let i = 0; i < n; i++)
    for (const [j, t] of targets.entries()) latencies[j].push(await send(t.url, body, headers));
  return targets.map((t, j) => {
    const start = before[j];
    const end = t.pid ? usage(t.pid) : undefined;
    const per = (key) => (start && end ? (end[key] - start[key]) / n : undefined);
    return { p50: p50(latencies[j]), cpu: per('cpu'), sys: per('sys'), faults: per('faults') };
  });
}

/** nginx with the harness's config on a free port, in a folder of its own; undefined when not installed. */
async function startNginx(upstreamPort) {
  const binary = '/usr/sbin/nginx';
  if (!existsSync(binary)) return undefined;
  const run = `/tmp/aibridge-bench-bodies-${process.pid}-nginx`;
  for (const dir of [
    'nginx/tmp/body',
    'nginx/tmp/proxy',
    'nginx/tmp/fcgi',
    'nginx/tmp/uwsgi',
    'nginx/tmp/scgi',
  ])
    mkdirSync(join(run, dir), { recursive: true });
  const port = await freePort();
  const conf = readFileSync(join(ROOT, 'bench/harness/nginx.conf'), 'utf8')
    .replaceAll('@RUN@', run)
    .replaceAll('@NGINX_PORT@', String(port))
    .replaceAll('@UPSTREAM_PORT@', String(upstreamPort));
  writeFileSync(join(run, 'nginx.conf'), conf);
  const child = spawn(binary, ['-c', join(run, 'nginx.conf'), '-p', run], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`);
  // The worker does the proxying; the master only waits.
  const worker = Number(
    execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).split('\n')[0],
  );
  return { build: 'nginx', mode: '—', url, child, pid: worker || child.pid, path: '/v1/messages?beta=true' };
}

async function startGateway(build, root, mode, dbUrl, upstreamUrl) {
  const port = await freePort();
  const profileDir = env.PROFILE ? join(env.PROFILE, build, mode) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const flags = [
    '--max-semi-space-size=8',
    ...(env.NODE_EXTRA_FLAGS ? env.NODE_EXTRA_FLAGS.split(' ') : []),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  const child = start(
    [...flags, join(root, 'bin/aibridge.js'), 'server'],
    {
      AIBRIDGE_HTTP_ADDRESS: `127.0.0.1:${port}`,
      AIBRIDGE_DATABASE_URL: dbUrl.toString(),
      DATABASE_URL: '',
      AIBRIDGE_ANTHROPIC_BASE_URL: upstreamUrl,
      AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-bench',
      AIBRIDGE_OPENAI_BASE_URL: `${upstreamUrl}/v1`,
      AIBRIDGE_BOOTSTRAP_TOKEN: TOKEN,
      AIBRIDGE_RETENTION: '0',
      AIBRIDGE_RECORDING_MODE: mode,
      AIBRIDGE_LOG_LEVEL: 'warn',
      AIBRIDGE_DATA_DIR: `/tmp/aibridge-bench-bodies-${process.pid}-${build}-${mode}`,
    },
    true,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/api/v2/buildinfo`);
  return {
    build,
    mode,
    url,
    child,
    pid: child.pid,
    path: '/api/v2/aibridge/anthropic/v1/messages?beta=true',
  };
}

async function main() {
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  const databases = [];
  /** A database of its own for each gateway (they would otherwise share providers and tokens). */
  const freshDatabase = async () => {
    const name = `aibridge_bench_bodies_${process.pid}_${databases.length}`;
    await admin.query(`CREATE DATABASE ${name}`);
    databases.push(name);
    const url = new URL(SERVER);
    url.pathname = `/${name}`;
    return url;
  };
  const upstreamPort = await freePort();
  const upstream = start(
    [join(ROOT, 'bench/harness/fake-upstream.mjs')],
    { FAKE_PORT: String(upstreamPort) },
    true,
  );
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const rows = [];
  try {
    await waitFor(`${upstreamUrl}/healthz`);
    const builds = [['this', ROOT], ...(env.BASELINE ? [['baseline', env.BASELINE]] : [])];
    // Every gateway runs at once and each size's requests go to all of them (and straight to
    // the fake provider) in turn, so a busy moment of the machine falls on all of them alike.
    const gateways = [];
    for (const mode of MODES)
      for (const [build, root] of builds)
        gateways.push(await startGateway(build, root, mode, await freshDatabase(), upstreamUrl));
    const nginx = await startNginx(upstreamPort);
    if (nginx) gateways.push(nginx);
    try {
      for (const kb of SIZES) {
        const body = agentBody(kb * 1024);
        const headers = agentHeaders(TOKEN);
        const n = requestsFor(kb);
        const targets = [
          { url: `${upstreamUrl}/v1/messages?beta=true` },
          ...gateways.map((g) => ({ url: `${g.url}${g.path}`, pid: g.pid })),
        ];
        const [direct, ...through] = await measureAll(targets, body, headers, n);
        for (const [i, gateway] of gateways.entries()) {
          const row = {
            build: gateway.build,
            mode: gateway.mode,
            kb,
            bytes: body.length,
            requests: n,
            cpuMsPerRequest: Number(through[i].cpu.toFixed(2)),
            sysMsPerRequest: Number(through[i].sys.toFixed(2)),
            faultsPerRequest: Math.round(through[i].faults),
            directP50Ms: Number(direct.p50.toFixed(2)),
            aibridgeP50Ms: Number(through[i].p50.toFixed(2)),
            deltaP50Ms: Number((through[i].p50 - direct.p50).toFixed(2)),
          };
          rows.push(row);
          console.log(JSON.stringify(row));
        }
      }
    } finally {
      for (const gateway of gateways) await stop(gateway.child);
      if (nginx) await sleep(200);
    }
  } finally {
    await stop(upstream);
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  const vsNginx = (r) => {
    const peer = rows.find((o) => o.build === 'nginx' && o.kb === r.kb);
    return peer ? `${(r.aibridgeP50Ms - peer.aibridgeP50Ms).toFixed(2)} ms` : '—';
  };
  const out = join(ROOT, 'bench/results/gateway-bodies.md');
  const lines = [
    '# Large agent bodies through aibridge and nginx (one request at a time, streaming; aibridge records into PostgreSQL)',
    '',
    `${new Date().toISOString()} · node ${process.version} · \`npm run bench:gateway:bodies\``,
    '',
    '| build | mode | body | requests | gateway CPU / request | of it in the kernel | page faults / request | p50 direct | p50 through it | Δp50 vs direct | Δp50 vs nginx |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.build} | ${r.mode} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.requests} | ${r.cpuMsPerRequest} ms | ${r.sysMsPerRequest} ms | ${r.faultsPerRequest} | ${r.directP50Ms} ms | ${r.aibridgeP50Ms} ms | ${r.deltaP50Ms} ms | ${vsNginx(r)} |`,
    ),
    '',
    ...ratios(rows),
  ];
  if (!env.NO_WRITE) writeFileSync(out, lines.join('\n'));
  console.log(lines.join('\n'));
}

/** Per size and mode: this build's CPU per request beside the baseline's and nginx's, as ratios. */
function ratios(rows) {
  const find = (build, mode, kb) => rows.find((r) => r.build === build && r.mode === mode && r.kb === kb);
  const table = [];
  for (const r of rows.filter((o) => o.build === 'this')) {
    const base = find('baseline', r.mode, r.kb);
    const nginx = find('nginx', '—', r.kb);
    const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : '—');
    table.push(
      `| ${r.mode} | ${(r.bytes / 1024).toFixed(0)} KiB | ${r.cpuMsPerRequest} ms | ${base ? `${base.cpuMsPerRequest} ms` : '—'} | ${ratio(base?.cpuMsPerRequest, r.cpuMsPerRequest)} | ${nginx ? `${nginx.cpuMsPerRequest} ms` : '—'} | ${ratio(r.cpuMsPerRequest, nginx?.cpuMsPerRequest)} |`,
    );
  }
  return [
    'Gateway CPU per request side by side (same run): baseline ÷ this (how much cheaper this build is) and this ÷ nginx.',
    '',
    '| mode | body | this | baseline | baseline ÷ this | nginx | this ÷ nginx |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...table,
    '',
  ];
}

await main();
