// Where a batch's time goes on the PostgreSQL server: fills a fresh database with WARM
// interceptions through the real recorder, then EXPLAIN ANALYZEs (rolled back) one start insert
// and one batch statement of BATCH interceptions, with the time of every trigger.
//   node bench/recorder/explain.mjs [WARM=30000] [BATCH=250]
import pg from 'pg';
import { createLogger } from '../../dist/log.js';
import { writeBatch } from '../../dist/recorder/batch-sql.js';
import { DatabaseRecorder } from '../../dist/recorder/recorder.js';
import { insertStartsStep, startRow } from '../../dist/recorder/start-sql.js';
import { freshDatabase, interceptionStart, recordExchange } from './lib.mjs';

const nested = [];
const WARM = Number(process.env.WARM ?? 30000);
const BATCH = Number(process.env.BATCH ?? 250);
const fresh = await freshDatabase('postgres');
try {
  const recorder = new DatabaseRecorder(fresh.db, createLogger('warn'), {});
  let n = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (n < WARM) {
        const start = interceptionStart(fresh.userId, n++);
        await recorder.start(start);
        recordExchange(recorder, start);
      }
    }),
  );
  await recorder.close();
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${fresh.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('VACUUM ANALYZE');
  if (process.env.NESTED) {
    // Plans of the statements the triggers run, sent to this client as notices.
    client.on('notice', (msg) => nested.push(msg.message));
    await client.query(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
      SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on;
      SET auto_explain.log_buffers = on; SET auto_explain.log_level = notice; SET client_min_messages = notice`);
  }
  // Capture the statements the recorder would run for BATCH interceptions.
  const captured = [];
  const fake = { kind: 'postgres', prepared: { runAll: async (steps) => captured.push(...steps) } };
  const sink = { record: (r) => records.push(r) };
  const records = [];
  const starts = [];
  for (let i = 0; i < BATCH; i++) {
    const start = interceptionStart(fresh.userId, n++);
    starts.push(startRow(start, { hint: undefined, fingerprintSince: null }));
    recordExchange(sink, start);
  }
  await writeBatch(fake, records);
  const startStep = insertStartsStep(starts);
  // Variants: NOPRICE=1 drops the rate snapshots from the token rows; SESSION_SQL runs first.
  if (process.env.NOPRICE) {
    const batch = captured.at(-1);
    const tokens = JSON.parse(batch.values[0]).map((t) => ({ ...t, price: null }));
    batch.values = [JSON.stringify(tokens), ...batch.values.slice(1)];
  }
  if (process.env.SESSION_SQL) await client.query(process.env.SESSION_SQL);
  for (let round = 0; round < 3; round++) {
    await client.query('BEGIN');
    for (const [label, step] of [
      ['start insert', startStep],
      ['batch', captured.at(-1)],
    ]) {
      const { rows } = await client.query(
        `EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT TEXT) ${step.statement.text}`,
        step.values,
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      if (round === 2) {
        console.log(`\n===== ${label} (${BATCH} interceptions) =====\n${plan}`);
        if (nested.length) console.log(`----- nested -----\n${nested.join('\n\n')}`);
      } else console.log(`${label}: ${plan.match(/Execution Time: .*/)?.[0]}`);
      nested.length = 0;
    }
    await client.query('ROLLBACK');
  }
  await client.end();
} finally {
  await fresh.dispose();
}
