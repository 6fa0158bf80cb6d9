// The gateway under a burst, in a process of its own so its RSS is the gateway's alone: the real
// server (dist/) on a fresh database, with the recorder queue bounded as the parent asks. Reports
// the queue's high-water mark and peak RSS, then flushes and counts what reached the database.
// Driven by bench/recorder/burst.mjs over IPC.
import { sql } from 'kysely';
import pg from 'pg';
import { generateToken } from '../../dist/auth/token.js';
import { loadConfig } from '../../dist/config.js';
import { createLogger } from '../../dist/log.js';
import { startServer } from '../../dist/server.js';
import { countPersisted, freshDatabase } from './lib.mjs';

const { backend, upstream, recorder: recorderOptions } = JSON.parse(process.argv[2]);
const fresh = await freshDatabase(backend);
const token = generateToken().token;
const config = {
  ...loadConfig({}, {}),
  http: { host: '127.0.0.1', port: 0 },
  bootstrapToken: token,
  logLevel: 'silent',
  retentionMs: 0,
  anthropic: { baseUrl: `${upstream}/`, key: 'sk-ant-bench' },
  openai: { baseUrl: `${upstream}/v1/`, key: 'sk-bench' },
};
const running = await startServer(config, {
  db: fresh.db,
  log: createLogger('silent'),
  recorder: recorderOptions,
});

let maxDepth = 0;
let peakRss = process.memoryUsage.rss();
const baseRss = peakRss;
const sampler = setInterval(() => {
  maxDepth = Math.max(maxDepth, running.recorder.queueDepth);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 5);
// PGlite can hold the event loop for a long time (it runs in this thread), so the timer alone
// would miss the deepest moments: the depth is also read each time a record is queued.
const record = running.recorder.record.bind(running.recorder);
running.recorder.record = (r) => {
  const seq = record(r);
  maxDepth = Math.max(maxDepth, running.recorder.queueDepth);
  return seq;
};

/** Holds the token-usage table locked (PostgreSQL): batches wait, as when the database falls behind. */
async function stall(ms) {
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${fresh.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE aibridge_token_usages IN EXCLUSIVE MODE');
  setTimeout(async () => {
    await client.query('COMMIT');
    await client.end();
  }, ms);
}

process.on('message', async (message) => {
  if (message.type === 'stall') {
    await stall(message.ms);
    process.send({ type: 'stalled' });
  } else if (message.type === 'finish') {
    clearInterval(sampler);
    const stats = running.recorder.stats;
    await running.recorder.close();
    const counts = await countPersisted(fresh.db, { token_usages: 1, prompts: 1, tool_usages: 2 });
    const { rows } =
      await sql`SELECT count(*) AS n FROM aibridge_interceptions WHERE id = ANY(${message.accepted}::uuid[])`.execute(
        fresh.db.kysely,
      );
    process.send({
      type: 'result',
      maxDepth,
      peakRssMb: peakRss / 2 ** 20,
      baseRssMb: baseRss / 2 ** 20,
      counts,
      acceptedFound: Number(rows[0].n),
      stats,
    });
    await running.close().catch(() => {});
    await fresh.dispose();
    process.exit(0);
  }
});
process.send({ type: 'ready', url: running.url, token });
