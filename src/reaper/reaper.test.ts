import { sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, POSTGRES_URL } from '../../test/databases.js';
import { Seeder } from '../../test/seed.js';
import { createLogger } from '../log.js';
import { ENDED_REASON_KEY, InterruptedReaper } from './reaper.js';

const HOUR = 3_600_000;

describeEachDatabase('interrupted-interception reaper', (db, kind) => {
  let userId = '';
  const reaper = () =>
    new InterruptedReaper({
      db: db(),
      log: createLogger('silent'),
      metrics: new Registry(),
      openForMs: HOUR,
    });

  beforeEach(async () => {
    await sql`DELETE FROM aibridge_token_usages`.execute(db().kysely);
    await sql`DELETE FROM aibridge_interceptions`.execute(db().kysely);
    userId ||= (
      await db()
        .kysely.insertInto('users')
        .values({ username: 'crashed', role: 'member' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });

  it('closes interceptions left open past the bound as interrupted, keeping what was recorded', async () => {
    const now = Date.now();
    const seeder = new Seeder(db().kysely);
    const [abandoned, bare, recent, ended] = await seeder.interceptions([
      {
        initiatorId: userId,
        startedAt: new Date(now - 3 * HOUR),
        endedAt: null,
        tokens: [{ input: 7, output: 9 }],
      },
      { initiatorId: userId, startedAt: new Date(now - 2 * HOUR), endedAt: null },
      { initiatorId: userId, startedAt: new Date(now - 60_000), endedAt: null },
      { initiatorId: userId, startedAt: new Date(now - 5 * HOUR) },
    ]);
    expect(await reaper().runOnce(new Date(now))).toBe(2);
    const rows = await db()
      .kysely.selectFrom('aibridge_interceptions')
      .select(['id', 'started_at', 'ended_at', 'metadata'])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const token = await db()
      .kysely.selectFrom('aibridge_token_usages')
      .select(['created_at', 'output_tokens'])
      .where('interception_id', '=', abandoned as string)
      .executeTakeFirstOrThrow();
    expect(token.output_tokens).toBe(9);
    expect(byId.get(abandoned as string)?.ended_at).toEqual(token.created_at);
    expect(byId.get(abandoned as string)?.metadata).toMatchObject({ [ENDED_REASON_KEY]: 'interrupted' });
    expect(byId.get(bare as string)?.ended_at).toEqual(byId.get(bare as string)?.started_at);
    expect(byId.get(recent as string)?.ended_at).toBeNull();
    expect(byId.get(ended as string)?.metadata).not.toHaveProperty(ENDED_REASON_KEY);
    expect(await reaper().runOnce(new Date(now))).toBe(0);
  });

  it.runIf(kind === 'postgres')('leaves the work to the replica holding the lock', async () => {
    await new Seeder(db().kysely).interceptions([
      { initiatorId: userId, startedAt: new Date(Date.now() - 3 * HOUR), endedAt: null },
    ]);
    const other = new pg.Client({ connectionString: POSTGRES_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(${0x6169_6272_7265_6170n.toString()}::bigint)`);
      expect(await reaper().runOnce()).toBeUndefined();
      await other.query('COMMIT');
      expect(await reaper().runOnce()).toBe(1);
    } finally {
      await other.end();
    }
  });
});
