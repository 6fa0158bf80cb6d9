// Processes of the gateway benchmark: the harness's peers (bench/harness: fake upstream, nginx, Portkey),
// a private PostgreSQL 15 cluster and aibridge itself, all pinned like the harness expects
// (load + upstream on CPU 0, every gateway and its database on CPU 1). Everything is stopped by
// the PID we started, never by name.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const HARNESS = join(ROOT, 'bench', 'harness');
export const STATE = process.env.BENCH_STATE || '/tmp/aibridge-bench-gateway';
export const PB_STATE = process.env.PB_STATE || join(STATE, 'pb');
export const PORTS = {
  upstream: Number(process.env.UPSTREAM_PORT || 9310),
  nginx: Number(process.env.NGINX_PORT || 9390),
  portkey: Number(process.env.PORTKEY_PORT || 8797),
  pg: Number(process.env.BENCH_PG_PORT || 5499),
};
export const UPSTREAM = `http://127.0.0.1:${PORTS.upstream}`;
/** The owner token aibridge is bootstrapped with (10 + 22 alphanumerics, the token format). */
export const TOKEN = 'benchowner-abcdefghijklmnopqrstuv';
const PG_BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
const GW_CPU = process.env.GW_CPU || '1';

/** Environment for the harness scripts: our own state dir and ports, so other runs are untouched. */
export function harnessEnv(extra = {}) {
  return {
    ...process.env,
    PB_STATE,
    UPSTREAM_PORT: String(PORTS.upstream),
    NGINX_PORT: String(PORTS.nginx),
    PORTKEY_PORT: String(PORTS.portkey),
    UPSTREAM,
    ...extra,
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Debian packages the run needs (wrk drives the load, nginx is the floor peer), installed when missing. */
export function ensureTools() {
  const missing = ['wrk', 'nginx'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  console.log('# installing', missing.join(' '), 'from Debian');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Portkey lives in PB_STATE/node_modules: reuse a machine-wide install, else install it as the harness README says. */
export function ensurePortkey() {
  const js = join(PB_STATE, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  if (existsSync(js)) return;
  mkdirSync(PB_STATE, { recursive: true });
  const shared = '/tmp/peerbench/node_modules';
  if (existsSync(join(shared, '@portkey-ai/gateway/build/start-server.js'))) {
    symlinkSync(shared, join(PB_STATE, 'node_modules'));
    return;
  }
  console.log('# installing Portkey into', PB_STATE);
  writeFileSync(
    join(PB_STATE, 'package.json'),
    JSON.stringify({
      name: 'peerbench-peers',
      private: true,
      overrides: { '@hono/node-server': '1.13.5', hono: '4.9.7', '@hono/node-ws': '1.2.0' },
    }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '@portkey-ai/gateway@1.15.2'], {
    cwd: PB_STATE,
    stdio: 'inherit',
  });
  const f = join(PB_STATE, 'node_modules/@hono/node-server/dist/index.mjs');
  writeFileSync(
    f,
    readFileSync(f, 'utf8').replace(
      '      return responseViaResponseObject(res, outgoing, options);',
      '      return await responseViaResponseObject(res, outgoing, options);',
    ),
  );
}

/** peers.sh start|stop NAME... (fake upstream, nginx, portkey) with extra env (FAKE_DELAY_MS...). */
export function peers(action, names, env = {}) {
  execFileSync(join(HARNESS, 'peers.sh'), [action, ...names], {
    env: harnessEnv(env),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
export function peerPid(name) {
  return Number(readFileSync(join(PB_STATE, 'run', `${name}.pid`), 'utf8'));
}

/** (Re)starts the fake upstream with the given delays. */
export function restartUpstream(env = {}) {
  peers('stop', ['upstream']);
  peers('start', ['upstream'], env);
}

export async function upstreamStats() {
  return (await fetch(`${UPSTREAM}/_stats`)).json();
}

/**
 * A private PostgreSQL 15 cluster on CPU 1 (its CPU and memory are aibridge's cost), stock
 * durability settings (fsync and synchronous_commit on), unix socket in its own directory.
 * `name` and `port` give a variant (VARIANTS in index.mjs) a cluster of its own beside aibridge-pg's.
 */
export async function startPostgres({ name = 'pg', port = PORTS.pg } = {}) {
  const dir = join(STATE, name.replace(/[^\w-]/g, '_')); // the socket path goes into a URL
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'sock'), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  chmodSync(dir, 0o755);
  const run = (cmd, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const [c1, a1] = run(join(PG_BIN, 'initdb'), [
    '-D',
    join(dir, 'data'),
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
  ]);
  execFileSync(c1, a1, { stdio: 'ignore' });
  const opts = `-p ${port} -k ${join(dir, 'sock')} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const [c2, a2] = run(join(PG_BIN, 'pg_ctl'), [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'log'),
    '-o',
    opts,
    '-w',
    'start',
  ]);
  execFileSync('taskset', ['-c', GW_CPU, c2, ...a2], { stdio: 'ignore' });
  const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const version = execFileSync(join(PG_BIN, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    pid,
    version,
    url: `postgres://postgres@localhost/postgres?host=${join(dir, 'sock')}&port=${port}`,
    psql: (sql) =>
      execFileSync(
        join(PG_BIN, 'psql'),
        ['-h', join(dir, 'sock'), '-p', String(port), '-U', 'postgres', '-At', '-c', sql],
        {
          encoding: 'utf8',
        },
      ).trim(),
    pgbench: (args) =>
      execFileSync(
        join(PG_BIN, 'pgbench'),
        ['-h', join(dir, 'sock'), '-p', String(port), '-U', 'postgres', ...args],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    stop() {
      const [c, a] = run(join(PG_BIN, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
      try {
        execFileSync(c, a, { stdio: 'ignore' });
      } catch {}
    },
  };
}

/** Node flags aibridge runs with (the same as `npm start`). */
export const NODE_FLAGS = ['--max-semi-space-size=8'];

/**
 * Starts aibridge (built dist/) on CPU 1 against the fake upstream, with the owner token preset.
 * `databaseUrl` undefined → embedded PGlite in a fresh temporary data dir. `root` is the checkout
 * whose build runs (another one for a `base` variant), `extraEnv` its settings beyond the bench's.
 */
export async function startAibridge({ name, port, databaseUrl, extraArgs = [], root = ROOT, extraEnv = {} }) {
  const dataDir = join(STATE, `data-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  const env = {
    ...process.env,
    AIBRIDGE_HTTP_ADDRESS: `127.0.0.1:${port}`,
    AIBRIDGE_DATA_DIR: dataDir,
    AIBRIDGE_OPENAI_BASE_URL: `${UPSTREAM}/v1`,
    AIBRIDGE_OPENAI_KEY: 'sk-bench-openai',
    AIBRIDGE_ANTHROPIC_BASE_URL: UPSTREAM,
    AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-bench',
    AIBRIDGE_BOOTSTRAP_TOKEN: TOKEN,
    AIBRIDGE_RETENTION: '0',
    AIBRIDGE_LOG_LEVEL: process.env.AIBRIDGE_LOG_LEVEL || 'warn',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  if (databaseUrl) env.AIBRIDGE_DATABASE_URL = databaseUrl;
  else delete env.AIBRIDGE_DATABASE_URL;
  const log = join(STATE, `${name}.log`);
  const out = (await import('node:fs')).openSync(log, 'w');
  const child = spawn(
    'taskset',
    ['-c', GW_CPU, process.execPath, ...NODE_FLAGS, ...extraArgs, join(root, 'bin/aibridge.js'), 'server'],
    {
      env,
      stdio: ['ignore', out, out],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null)
      throw new Error(`aibridge ${name} exited; see ${log}\n${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(`${url}/api/v2/buildinfo`)).status < 500) break;
    } catch {}
    await sleep(100);
  }
  return {
    name,
    url,
    pid: child.pid, // taskset execs node: same PID
    log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Resident memory of a process in MB (VmRSS), and its peak so far (VmHWM). */
export function rssMb(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) per process in microseconds, from /proc/PID/stat. */
export function cpuUs(pids) {
  const out = new Map();
  for (const p of pids) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(p, ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK);
    } catch {}
  }
  return out;
}

/** CPU spent between two cpuUs samples; a process that appeared in between counts from 0. */
export function cpuSpent(before, after) {
  let us = 0;
  for (const [p, t] of after) us += t - (before.get(p) ?? 0);
  return us;
}

/** A process and its descendants (PostgreSQL's backends are the postmaster's children). */
export function tree(pid) {
  const all = [];
  const walk = (p) => {
    all.push(p);
    let kids = '';
    try {
      kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(p)], { encoding: 'utf8' });
    } catch {}
    for (const k of kids.split(/\s+/).filter(Boolean)) walk(Number(k));
  };
  walk(pid);
  return all;
}

/** Proportional set size (shared pages split fairly) of a process tree in MB: PostgreSQL's real footprint. */
export function pssMb(pids) {
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
}
