#!/usr/bin/env node
// `aibridge export interceptions` on the bench:api dataset: rows/s and the CLI's memory over time.
//
//   node bench/cli-export.mjs [--size 1m] [--formats ndjson,csv] [--lock /tmp/aibridge-heavy.lock]
//
// Needs the dataset of `npm run bench:api:generate -- --size 1m` (PostgreSQL at BENCH_PG_URL).
// Starts `aibridge server` on it, then runs the real CLI binary exporting every interception
// to a file in /tmp, sampling the CLI's and the server's RSS (from /proc) and the file size
// every 2 s; rows per interval are the bytes written over the average row size. Writes
// bench/results/cli-export.md.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1m' },
    formats: { type: 'string', default: 'ndjson,csv' },
    lock: { type: 'string' },
    url: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432' },
  },
});
if (args.lock) {
  const rest = process.argv.slice(2).filter((a, i, all) => a !== '--lock' && all[i - 1] !== '--lock');
  const run = spawnSync('flock', [args.lock, process.execPath, new URL(import.meta.url).pathname, ...rest], {
    stdio: 'inherit',
  });
  process.exit(run.status ?? 1);
}

const BIN = new URL('../bin/aibridge.js', import.meta.url).pathname;
const OWNER_TOKEN = 'BENCHOWNER-abcdefghijklmnopqrstuv';
const PORT = 3948;
const SERVER = `http://127.0.0.1:${PORT}`;
const SAMPLE_MS = 2000;

const rssMb = (pid) => {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
};
/** User + system CPU seconds a process has used so far (from /proc/<pid>/stat, 100 ticks a second). */
const cpuSeconds = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
};
const sizeOf = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

async function startServer() {
  const server = spawn(process.execPath, [BIN, 'server'], {
    env: {
      ...process.env,
      AIBRIDGE_DATABASE_URL: `${args.url}/aibridge_bench_${args.size}`,
      AIBRIDGE_BOOTSTRAP_TOKEN: OWNER_TOKEN,
      AIBRIDGE_HTTP_ADDRESS: `127.0.0.1:${PORT}`,
      AIBRIDGE_RETENTION: '0', // the dataset spans 90 days: nothing may be purged under the benchmark
      AIBRIDGE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${SERVER}/api/v2/buildinfo`)).ok) return server;
    } catch {}
    await sleep(100);
  }
  server.kill();
  throw new Error('the server did not start');
}

async function exportOnce(format) {
  const file = `/tmp/aibridge-bench-export.${format}`;
  rmSync(file, { force: true });
  const started = Date.now();
  const serverCpuBefore = cpuSeconds(server.pid) ?? 0;
  const cli = spawn(process.execPath, [BIN, 'export', 'interceptions', '-o', format, '--file', file], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AIBRIDGE_URL: SERVER,
      AIBRIDGE_TOKEN: OWNER_TOKEN,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => cli.on('close', resolve));
  const samples = [];
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!done) {
    samples.push({
      s: (Date.now() - started) / 1000,
      cli: rssMb(cli.pid),
      server: rssMb(server.pid),
      cliCpu: cpuSeconds(cli.pid),
      bytes: sizeOf(file),
    });
    await Promise.race([sleep(SAMPLE_MS), exited]);
  }
  const code = await exited;
  const seconds = (Date.now() - started) / 1000;
  if (code !== 0) throw new Error(`export exited ${code}`);
  const rows =
    Number(spawnSync('wc', ['-l', file], { encoding: 'utf8' }).stdout.split(' ')[0]) -
    (format === 'csv' ? 1 : 0);
  const bytes = sizeOf(file);
  rmSync(file, { force: true });
  const cliCpu = Math.max(...samples.map((sample) => sample.cliCpu ?? 0));
  const serverCpu = (cpuSeconds(server.pid) ?? 0) - serverCpuBefore;
  return { format, rows, seconds, bytes, samples, cliCpu, serverCpu };
}

function report(runs) {
  const lines = [
    '# `aibridge export interceptions`: throughput and memory',
    '',
    `${new Date().toISOString().slice(0, 10)}, \`node bench/cli-export.mjs --size ${args.size}\` under \`flock /tmp/aibridge-heavy.lock\`: the real CLI binary exporting every interception of the ${args.size} bench:api dataset (PostgreSQL 15; 4 token rows, 1 prompt, 2 tool calls each) from \`aibridge server\` on the same machine (2 cores, shared) to a file, pages of 1,000 through the \`after_id\` cursor, one page fetched ahead. RSS from /proc every ${SAMPLE_MS / 1000} s; rows per interval from the bytes written.`,
    '',
    '| format | rows | time | rows/s | file | CLI peak RSS | CLI RSS at 10% / 50% / 90% of the run | server peak RSS | CPU: CLI / server (PostgreSQL not counted) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    const at = (fraction) =>
      run.samples[Math.min(run.samples.length - 1, Math.floor(run.samples.length * fraction))]?.cli;
    const peak = (key) => Math.max(...run.samples.map((s) => s[key] ?? 0));
    lines.push(
      `| ${run.format} | ${run.rows.toLocaleString('en')} | ${run.seconds.toFixed(0)} s | ${Math.round(run.rows / run.seconds).toLocaleString('en')} | ${(run.bytes / 1e9).toFixed(2)} GB | ${peak('cli').toFixed(0)} MB | ${[0.1, 0.5, 0.9].map((f) => at(f)?.toFixed(0)).join(' / ')} MB | ${peak('server').toFixed(0)} MB | ${run.cliCpu.toFixed(0)} s / ${run.serverCpu.toFixed(0)} s |`,
    );
  }
  for (const run of runs) {
    const perRow = run.bytes / run.rows;
    lines.push(
      '',
      `### ${run.format} over time`,
      '',
      '| t (s) | rows so far | rows/s in the interval | CLI RSS (MB) | server RSS (MB) |',
      '|---|---|---|---|---|',
    );
    const step = Math.max(1, Math.ceil(run.samples.length / 30));
    let previous = { s: 0, bytes: 0 };
    run.samples.forEach((sample, i) => {
      if (i % step !== 0 && i !== run.samples.length - 1) return;
      const rate = ((sample.bytes - previous.bytes) / perRow / Math.max(0.001, sample.s - previous.s)) | 0;
      lines.push(
        `| ${sample.s.toFixed(0)} | ${Math.round(sample.bytes / perRow).toLocaleString('en')} | ${rate.toLocaleString('en')} | ${sample.cli?.toFixed(0) ?? ''} | ${sample.server?.toFixed(0) ?? ''} |`,
      );
      previous = sample;
    });
  }
  return `${lines.join('\n')}\n`;
}

const server = await startServer();
try {
  const runs = [];
  for (const format of args.formats.split(',')) {
    const run = await exportOnce(format);
    console.log(
      `${format}: ${run.rows} rows in ${run.seconds.toFixed(1)} s (${Math.round(run.rows / run.seconds)}/s)`,
    );
    runs.push(run);
  }
  const text = report(runs);
  writeFileSync(new URL('results/cli-export.md', import.meta.url), text);
  console.log(text);
} finally {
  server.kill('SIGTERM');
}
