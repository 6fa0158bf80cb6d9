import { sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, POSTGRES_URL } from '../../test/databases.js';
import { Seeder } from '../../test/seed.js';
import { startTestServer } from '../../test/server.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../log.js';
import { RetentionJob } from './retention-job.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const TABLES = [
  'aibridge_interceptions',
  'aibridge_token_usages',
  'aibridge_user_prompts',
  'aibridge_tool_usages',
  'aibridge_model_thoughts',
] as const;

async function counts(db: Database): Promise<number[]> {
  return Promise.all(
    TABLES.map(async (table) => {
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
        db.kysely,
      );
      return Number(rows[0]?.n);
    }),
  );
}

/**
 * `n` interceptions started `daysAgo` days before NOW, each with one row of every kind, in one
 * transaction: a purge running meanwhile never sees the interceptions without their rows.
 */
function seedAged(db: Database, userId: string, n: number, daysAgo: number) {
  return db.kysely.transaction().execute((trx) =>
    new Seeder(trx).interceptions(
      Array.from({ length: n }, (_, i) => ({
        initiatorId: userId,
        startedAt: new Date(NOW.getTime() - daysAgo * DAY + i * 1000),
        tokens: [{ input: 1, output: 1 }],
        prompt: 'old',
        tools: [{ tool: 'Read' }],
        thoughts: ['hmm'],
      })),
    ),
  );
}

describeEachDatabase('retention purge', (db, kind) => {
  let userId = '';
  const metrics = new Registry();
  const job = (options: { retentionMs?: number; batchSize?: number } = {}) =>
    new RetentionJob({ db: db(), log: createLogger('silent'), metrics, retentionMs: 60 * DAY, ...options });

  beforeEach(async () => {
    for (const table of TABLES) await sql`DELETE FROM ${sql.table(table)}`.execute(db().kysely);
    userId ||= (
      await db()
        .kysely.insertInto('users')
        .values({ username: 'old-timer', role: 'member' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });

  it('deletes interceptions older than the retention and everything under them, in batches', async () => {
    await seedAged(db(), userId, 7, 90);
    await seedAged(db(), userId, 3, 10);
    expect(await counts(db())).toEqual([10, 10, 10, 10, 10]);
    const purge = new RetentionJob({
      db: db(),
      log: createLogger('silent'),
      metrics,
      retentionMs: 60 * DAY,
      batchSize: 2,
    });
    expect(await purge.runOnce(NOW)).toBe(7 * 5);
    expect(await counts(db())).toEqual([3, 3, 3, 3, 3]);
    expect(await purge.runOnce(NOW)).toBe(0);
    const metric = await metrics.getSingleMetricAsString('aibridge_dbpurge_records_purged_total');
    expect(metric).toContain('aibridge_dbpurge_records_purged_total{record_type="aibridge_records"} 35');
  });

  it('keeps everything when the retention is 0', async () => {
    await seedAged(db(), userId, 2, 3650);
    const forever = job({ retentionMs: 0 });
    forever.start();
    await forever.stop();
    expect(await counts(db())).toEqual([2, 2, 2, 2, 2]);
  });

  it.skipIf(kind === 'pglite')('skips the run while another replica holds the purge lock', async () => {
    await seedAged(db(), userId, 2, 90);
    const other = new pg.Client({ connectionString: POSTGRES_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(${0x6169_6272_7075_7267n}::bigint)`);
      expect(await job().runOnce(NOW)).toBeUndefined();
      expect((await counts(db()))[0]).toBe(2);
      await other.query('COMMIT');
      expect(await job().runOnce(NOW)).toBe(10);
    } finally {
      await other.end();
    }
  });
});

describeEachDatabase('retention purge in the running server', (_db, kind) => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('runs on start and on its interval, and stops with the server', async () => {
    const server = await startTestServer(kind, { retentionMs: 30 * DAY }, { retentionIntervalMs: 100 });
    servers.push(server);
    const user = await server.createUser('ancient');
    await seedAged(server.running.db, user.id, 3, 400 + (Date.now() - NOW.getTime()) / DAY);
    await new Seeder(server.running.db.kysely).interceptions([
      { initiatorId: user.id, startedAt: new Date() },
    ]);
    await expect.poll(() => counts(server.running.db), { interval: 100 }).toEqual([1, 0, 0, 0, 0]);
    const metrics = await (await server.request('/metrics', { token: null })).text();
    expect(metrics).toContain('aibridge_dbpurge_records_purged_total{record_type="aibridge_records"} 15');
  });
});
