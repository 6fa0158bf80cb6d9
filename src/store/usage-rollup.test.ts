import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { UsageStore as PlainUsageStore } from '../../test/reference/plain-usage.js';
import { Seeder, type SeedInterception } from '../../test/seed.js';
import type { Database } from '../db/database.js';
import { writeBatch } from '../recorder/batch-sql.js';
import type { AsyncRecord } from '../recorder/types.js';
import type { InterceptionFilter } from '../search/filters.js';
import { parseGoTime, RFC3339_NANO } from '../search/go-time.js';
import { RetentionStore } from './retention.js';
import type { Scope } from './scope.js';
import { type UsageBucket, type UsageReport, UsageStore } from './usage.js';

// The usage aggregate over the hourly rollup (kept by triggers) plus raw edge hours must
// report exactly what the plain aggregate over raw rows reports — the previous
// implementation, kept in test/reference — for every filter, range, bucket, zone and scope,
// and stay so after later writes, edits and retention deletes.

// Two days before Europe's autumn daylight-saving change, a week before America's.
const BASE = Date.UTC(2026, 9, 23, 0, 0, 0);
const HOUR = 3_600_000;
const MODELS = [
  ['anthropic', 'claude-sonnet-4'],
  ['anthropic', 'claude-haiku-4'],
  ['openai', 'gpt-5'],
] as const;
const CLIENTS = ['Claude Code', 'Codex', null, 'Unknown'];

const labelOf = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));

/** An instant as `q` parses it, from an ISO text (nanoseconds allowed). */
const instant = (text: string) => {
  const parsed = parseGoTime(text, RFC3339_NANO);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.instant;
};
const at = (ms: number) => new Date(BASE + ms).toISOString();

/** Ranges: aligned, not aligned, within one hour, nanoseconds off an hour, open on one side. */
const RANGES: InterceptionFilter[] = [
  {},
  { startedAfter: instant(at(24 * HOUR)), startedBefore: instant(at(5 * 24 * HOUR)) },
  { startedAfter: instant(at(24 * HOUR)), startedBefore: instant(at(5 * 24 * HOUR - 1)) },
  {
    startedAfter: instant('2026-10-24T05:17:23.123456789Z'),
    startedBefore: instant('2026-10-29T19:42:00.000000001Z'),
  },
  {
    startedAfter: instant('2026-10-25T13:00:00.000000400Z'),
    startedBefore: instant('2026-10-26T13:59:59.999999600Z'),
  },
  { startedAfter: instant('2026-10-25T13:05:00Z'), startedBefore: instant('2026-10-25T13:50:00Z') },
  { startedAfter: instant('2026-10-26T07:30:00Z') },
  { startedBefore: instant('2026-10-27T07:30:00Z') },
];

/** Every combination of the non-time filter fields (16), values chosen to match some rows. */
function fieldCombinations(user: string): InterceptionFilter[] {
  const parts: InterceptionFilter[] = [
    { initiatorId: user },
    { provider: 'openai' },
    { model: 'claude-haiku-4' },
    { client: 'Unknown' },
  ];
  return Array.from({ length: 2 ** parts.length }, (_, mask) =>
    Object.assign({}, ...parts.filter((_, bit) => mask & (1 << bit))),
  );
}

/** A report, or the error it failed with; breakdowns in key order (ties rank either way). */
async function outcome(read: () => Promise<UsageReport>): Promise<UsageReport | { error: string }> {
  try {
    const report = await read();
    const byKey =
      <T>(key: (row: T) => string) =>
      (a: T, b: T) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    return {
      ...report,
      byModel: [...report.byModel].sort(byKey((r) => `${r.provider}/${r.model}`)),
      byClient: [...report.byClient].sort(byKey((r) => r.client)),
      byInitiator: [...report.byInitiator].sort(byKey((r) => r.initiatorId)),
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function expectSameUsage(
  db: Database,
  cases: Array<{ filter: InterceptionFilter; scope: Scope; bucket: UsageBucket; timeZone: string }>,
): Promise<number> {
  const store = new UsageStore(db.kysely);
  const plain = new PlainUsageStore(db.kysely);
  let counted = 0;
  for (const { filter, scope, bucket, timeZone } of cases) {
    const want = await outcome(() => plain.report(filter, scope, bucket, timeZone));
    const got = await outcome(() => store.report(filter, scope, bucket, timeZone));
    expect(got, labelOf({ filter, scope, bucket, timeZone })).toEqual(want);
    if ('totals' in want) counted += want.totals.interceptions;
  }
  return counted;
}

/** The rollup equals a rebuild from scratch (no stale or zero rows). */
async function expectRollupRebuilds(db: Database) {
  const rollup = sql`SELECT hour, initiator_id, provider, model, client, interceptions::int8 AS n,
    input_tokens::int8 AS i, output_tokens::int8 AS o, cache_read_input_tokens::int8 AS r,
    cache_write_input_tokens::int8 AS w FROM aibridge_usage_hourly ORDER BY 1, 2, 3, 4, 5`;
  const before = (await rollup.execute(db.kysely)).rows;
  await sql`DELETE FROM aibridge_usage_hourly`.execute(db.kysely);
  await sql`SELECT aibridge_usage_hourly_refresh(ARRAY(
    SELECT DISTINCT date_trunc('hour', started_at, 'UTC') FROM aibridge_interceptions))`.execute(db.kysely);
  expect(before).toEqual((await rollup.execute(db.kysely)).rows);
}

describeEachDatabase('usage rollup matches the plain aggregate', (db) => {
  const users = Array.from({ length: 3 }, () => randomUUID());
  const seeded: SeedInterception[] = [];
  let state = 11;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;

  /** Interceptions spread over eight days, some unended, with 0–2 token rows each. */
  function interceptions(count: number, from: number, spanHours: number, ended = true): SeedInterception[] {
    return Array.from({ length: count }, () => {
      const [provider, model] = pick(MODELS);
      return {
        id: randomUUID(),
        initiatorId: pick(users),
        provider,
        model,
        client: pick(CLIENTS),
        startedAt: new Date(BASE + from + Math.floor(next() * spanHours * HOUR)),
        endedAt: !ended || next() < 0.1 ? null : undefined,
        tokens: Array.from({ length: Math.floor(next() * 3) }, () => ({
          input: Math.floor(next() * 1000),
          output: Math.floor(next() * 99),
          cacheRead: Math.floor(next() * 50),
          cacheWrite: Math.floor(next() * 5),
        })),
      };
    });
  }

  /** Every filter combination in UTC for both buckets and scopes; other zones unfiltered. */
  function cases() {
    const all = [];
    for (const range of RANGES) {
      for (const bucket of ['hour', 'day'] as const) {
        for (const scope of [{}, { initiatorId: users[1] }]) {
          for (const fields of fieldCombinations(users[1] as string)) {
            all.push({ filter: { ...fields, ...range }, scope, bucket, timeZone: 'UTC' });
          }
        }
        for (const timeZone of ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu']) {
          all.push({ filter: range, scope: {}, bucket, timeZone });
        }
      }
    }
    return all;
  }

  beforeAll(async () => {
    for (const [u, user] of users.entries()) {
      await db()
        .kysely.insertInto('users')
        .values({ id: user, username: `use${u}`, role: 'member' })
        .execute();
    }
    seeded.push(...interceptions(400, 0, 8 * 24));
    await new Seeder(db().kysely).interceptions(seeded);
  });

  it('after seeding', async () => {
    expect(await expectSameUsage(db(), cases())).toBeGreaterThan(1000);
    await expectRollupRebuilds(db());
  });

  describe('after later writes', () => {
    it('the recorder ends interceptions with their records, or after them; tokens come later', async () => {
      const open = interceptions(30, 2 * 24 * HOUR, 24, false).map((r) => ({ ...r, tokens: [] }));
      const late = interceptions(30, 3 * 24 * HOUR, 24, false).map((r) => ({ ...r, tokens: [] }));
      await new Seeder(db().kysely).interceptions([...open, ...late]);
      const tokens = (r: SeedInterception): AsyncRecord => ({
        kind: 'token_usage',
        interceptionId: r.id as string,
        pricedAs: { provider: 'anthropic', model: 'claude-sonnet-4-5', startedAt: r.startedAt },
        createdAt: r.startedAt,
        providerResponseId: 'x',
        input: 5,
        output: 7,
        cacheRead: 1,
        cacheWrite: 2,
        metadata: {},
      });
      const end = (r: SeedInterception): AsyncRecord => ({
        kind: 'end',
        interceptionId: r.id as string,
        endedAt: new Date(r.startedAt.getTime() + 900),
      });
      // Records and ends in one statement (counted once); records of unended ones (counted
      // at the end); ends alone; then tokens of interceptions ended long ago.
      await writeBatch(
        db(),
        open.flatMap((r, i) => (i % 2 === 0 ? [tokens(r), end(r)] : [tokens(r)])),
      );
      await writeBatch(db(), late.map(tokens));
      await writeBatch(db(), [...open.filter((_, i) => i % 2 === 1), ...late].map(end));
      await writeBatch(
        db(),
        seeded.slice(0, 40).flatMap((r) => [tokens(r), tokens(r)]),
      );
      await expectSameUsage(db(), cases());
      await expectRollupRebuilds(db());
    });

    it('interceptions are changed, un-ended and their tokens edited or deleted', async () => {
      const ids = seeded.filter((r) => r.endedAt !== null).map((r) => r.id as string);
      const run = (query: ReturnType<typeof sql>) => query.execute(db().kysely);
      await run(
        sql`UPDATE aibridge_interceptions SET model = 'gpt-5', provider = 'openai' WHERE id = ANY(${ids.slice(0, 6)}::uuid[])`,
      );
      await run(
        sql`UPDATE aibridge_interceptions SET client = NULL, started_at = started_at - interval '1 hour' WHERE id = ANY(${ids.slice(6, 9)}::uuid[])`,
      );
      await run(
        sql`UPDATE aibridge_interceptions SET initiator_id = ${users[0]} WHERE id = ANY(${ids.slice(9, 12)}::uuid[])`,
      );
      await run(
        sql`UPDATE aibridge_interceptions SET ended_at = NULL WHERE id = ANY(${ids.slice(12, 16)}::uuid[])`,
      );
      await run(
        sql`UPDATE aibridge_interceptions SET metadata = '{"edited": true}' WHERE id = ANY(${ids.slice(16, 20)}::uuid[])`,
      );
      await run(
        sql`DELETE FROM aibridge_token_usages WHERE interception_id = ANY(${ids.slice(20, 26)}::uuid[])`,
      );
      await run(
        sql`UPDATE aibridge_token_usages SET input_tokens = input_tokens + 1000 WHERE interception_id = ANY(${ids.slice(26, 30)}::uuid[])`,
      );
      await run(sql`DELETE FROM aibridge_interceptions WHERE id = ANY(${ids.slice(30, 33)}::uuid[])`);
      await expectSameUsage(db(), cases());
      await expectRollupRebuilds(db());
    });

    it('retention deletes the oldest interceptions with their records', async () => {
      const retention = new RetentionStore(db().kysely);
      await retention.purgeBatch(new Date(BASE + 30 * HOUR + 1234), 25);
      await retention.purgeBatch(new Date(BASE + 60 * HOUR), 40);
      await expectSameUsage(db(), cases());
      await expectRollupRebuilds(db());
    });
  });
});
