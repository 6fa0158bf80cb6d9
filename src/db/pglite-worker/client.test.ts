import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../errors.js';
import { PGliteDialect } from '../pglite-driver.js';
import { PGliteWorker } from './client.js';

describe('the embedded database on its own thread', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  async function open(dataDir?: string) {
    const backend = await PGliteWorker.start({ dataDir });
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(backend) });
    cleanups.push(() => db.destroy());
    return { backend, db };
  }

  it('fails what was in flight when its thread dies as an outage, then answers from a new thread with its LISTENs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aibridge-pgworker-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { backend, db } = await open(dir);
    await sql`create table kept (n int)`.execute(db);
    await sql`insert into kept values (1)`.execute(db);
    const heard: string[] = [];
    await backend.listen('news', (payload) => heard.push(payload));

    const inFlight = sql`select pg_sleep(0.5)`.execute(db);
    await backend.kill();
    const error = await inFlight.catch((e: unknown) => e);
    expect(isDatabaseUnavailable(error)).toBe(true);

    // Started again on the same directory: committed rows are there, LISTEN is back.
    await expect
      .poll(() =>
        sql<{ n: number }>`select n from kept`.execute(db).then(
          (r) => r.rows,
          () => [],
        ),
      )
      .toEqual([{ n: 1 }]);
    await sql`select pg_notify('news', 'after restart')`.execute(db);
    // Told once that something may have changed meanwhile, then the new notification.
    await expect.poll(() => heard).toEqual(['', 'after restart']);
  });

  it('does not carry a transaction begun on a dead thread over to the new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aibridge-pgworker-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { backend, db } = await open(dir);
    await sql`create table t (n int)`.execute(db);
    const outcome = db.transaction().execute(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      await backend.kill();
      await expect.poll(() => backend.generation).toBe(2);
      await sql`insert into t values (2)`.execute(trx);
    });
    expect(isDatabaseUnavailable(await outcome.catch((e: unknown) => e))).toBe(true);
    // Neither insert landed: the first died uncommitted with its thread, the second was refused.
    await expect
      .poll(() =>
        sql`select n from t`.execute(db).then(
          (r) => r.rows,
          () => undefined,
        ),
      )
      .toEqual([]);
  });

  it('keeps what was written when closed and reopened (the same data directory format)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aibridge-pgworker-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await open(dir);
    await sql`create table kept (n int)`.execute(first.db);
    await sql`insert into kept values (7)`.execute(first.db);
    await first.db.destroy();
    // The directory opens in-process too: the format is PGlite's own, unchanged.
    const { PGlite } = await import('@electric-sql/pglite');
    const direct = await PGlite.create({ dataDir: dir });
    expect((await direct.query('select n from kept')).rows).toEqual([{ n: 7 }]);
    await direct.close();
  });
});
