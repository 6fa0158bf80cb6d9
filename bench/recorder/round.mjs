// One throughput round in a process of its own (clean RSS and CPU figures): N producers drive the
// gateway's Recorder for a fixed time — start (admission + durable start row), then the exchange's records — then
// the queue is flushed and every interception is checked in the database. Prints one JSON line.
//   node bench/recorder/round.mjs BACKEND PRODUCERS SECONDS
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../dist/log.js';
import { DatabaseRecorder } from '../../dist/recorder/recorder.js';
import {
  countPersisted,
  freshDatabase,
  interceptionStart,
  postmasterPid,
  quantile,
  recordExchange,
  serverCpu,
  serverCpuDelta,
  serverPidsFor,
  walPosition,
} from './lib.mjs';

const [backend = 'postgres', producersArg = '64', secondsArg = '10'] = process.argv.slice(2);
const producers = Number(producersArg);
const seconds = Number(secondsArg);

const fresh = await freshDatabase(backend);
// RECORDER_OPTIONS (JSON) compares tunings, e.g. '{"lanes":1,"startsInFlight":1}'.
// MODE=fast measures AIBRIDGE_RECORDING_MODE=fast (start rows queued into the batches).
const recorder = new DatabaseRecorder(fresh.db, createLogger('warn'), {
  ...(process.env.MODE ? { mode: process.env.MODE } : {}),
  ...JSON.parse(process.env.RECORDER_OPTIONS ?? '{}'),
});
const postmaster = backend === 'postgres' ? await postmasterPid() : undefined;

let produced = 0;
let maxDepth = 0;
let peakRss = 0;
const latencies = [];

/** Sampled inline: PGlite can keep the event loop in microtasks for seconds, starving timers. */
function sample() {
  maxDepth = Math.max(maxDepth, recorder.queueDepth);
  if (produced % 64 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
}

async function producer(deadline, measure) {
  while (performance.now() < deadline) {
    const start = interceptionStart(fresh.userId, produced);
    const t0 = performance.now();
    await recorder.start(start);
    if (measure) latencies.push(performance.now() - t0);
    recordExchange(recorder, start);
    produced++;
    if (measure) sample();
  }
}

// Warm-up: fills the pool, prepares the statements, lets the JIT settle; not measured.
await Promise.all(Array.from({ length: producers }, () => producer(performance.now() + 1000, false)));
while (recorder.queueDepth > 0) await new Promise((r) => setTimeout(r, 5));
const warm = produced;

const walBefore = backend === 'postgres' ? await walPosition() : undefined;
const pgBefore = serverCpu(postmaster);
const cpuBefore = process.cpuUsage();
const t0 = performance.now();
await Promise.all(Array.from({ length: producers }, () => producer(t0 + seconds * 1000, true)));
const producedAt = performance.now();
await recorder.close(); // flushes the queue: the clock stops when everything is committed
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const walAfter = walBefore ? await walPosition() : undefined;
const pgCpu =
  postmaster === undefined
    ? undefined
    : serverCpuDelta(pgBefore, serverCpu(postmaster), await serverPidsFor(fresh.name));

const counts = await countPersisted(fresh.db);
const stats = recorder.stats;
await fresh.dispose();

const measured = produced - warm;
latencies.sort((a, b) => a - b);
const lost = produced - counts.complete;
process.stdout.write(
  `${JSON.stringify({
    backend,
    producers,
    seconds: elapsed,
    drainSeconds: elapsed - (producedAt - t0) / 1000,
    interceptions: measured,
    perSecond: measured / elapsed,
    rowsPerSecond: (measured * 9) / elapsed, // start row + end update + 4 + 1 + 2
    startP50: quantile(latencies, 0.5),
    startP99: quantile(latencies, 0.99),
    nodeCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
    pgCpu: pgCpu === undefined ? null : pgCpu / elapsed,
    peakRssMb: peakRss / 2 ** 20,
    walKbPerInterception: walAfter ? (walAfter.wal - walBefore.wal) / 1024 / measured : null,
    checkpoints: walAfter ? walAfter.checkpoints - walBefore.checkpoints : null,
    maxQueueDepth: maxDepth,
    startRowsPerStatement: stats.startRows / stats.startStatements,
    recordsPerBatch: stats.batchedRecords / stats.batches,
    produced,
    counts,
    lost,
  })}\n`,
);
process.exit(lost === 0 ? 0 : 2);
