import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { SessionStore as PlainSessionStore } from '../../test/reference/plain-sessions.js';
import { Seeder, type SeedInterception } from '../../test/seed.js';
import type { Database } from '../db/database.js';
import { writeBatch } from '../recorder/batch-sql.js';
import type { AsyncRecord } from '../recorder/types.js';
import type { InterceptionFilter } from '../search/filters.js';
import { parseGoTime, RFC3339_NANO } from '../search/go-time.js';
import { InterceptionStore } from './interceptions.js';
import { RetentionStore } from './retention.js';
import type { Scope } from './scope.js';
import { type SessionKey, SessionStore } from './sessions.js';

// The session summaries (maintained by triggers) must list exactly what the plain query over
// the interceptions lists — the previous implementation, kept in test/reference — for every
// filter combination and scope, by page, cursor and offset, and stay so after later writes.

const BASE = Date.UTC(2026, 5, 1);
const MODELS = [
  ['anthropic', 'claude-sonnet-4'],
  ['anthropic', 'claude-haiku-4'],
  ['openai', 'gpt-5'],
  ['openai', 'gpt-4.1'],
] as const;
const CLIENTS = ['Claude Code', 'Codex', null, 'Unknown', 'Cursor'];

/** A filter as a failure label (instants carry BigInts). */
const labelOf = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));

const instant = (offsetSeconds: number) => {
  const parsed = parseGoTime(new Date(BASE + offsetSeconds * 1000).toISOString(), RFC3339_NANO);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.instant;
};

/** A small deterministic PRNG, so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Every combination of these filter fields (64), values chosen to match some sessions. */
function filterCombinations(user: string): InterceptionFilter[] {
  const parts: InterceptionFilter[] = [
    { initiatorId: user },
    { provider: 'openai' },
    { model: 'claude-haiku-4' },
    { client: 'Unknown' },
    { sessionId: 'shared-1' },
    { startedAfter: instant(3_000), startedBefore: instant(9_000) },
  ];
  return Array.from({ length: 2 ** parts.length }, (_, mask) =>
    Object.assign({}, ...parts.filter((_, bit) => mask & (1 << bit))),
  );
}

async function expectSameListing(
  db: Database,
  filters: InterceptionFilter[],
  scopes: Scope[],
): Promise<number> {
  const store = new SessionStore(db.kysely);
  const plain = new PlainSessionStore(db.kysely);
  const key = (s: { initiator: { id: string }; id: string }): SessionKey => ({
    initiatorId: s.initiator.id,
    sessionId: s.id,
  });
  let listed = 0;
  for (const scope of scopes) {
    for (const filter of filters) {
      const label = labelOf({ filter, scope });
      const want = await plain.page({ filter, scope, limit: 1000, offset: 0 });
      expect(await store.page({ filter, scope, limit: 1000, offset: 0 }), label).toEqual(want);
      expect(await store.count(filter, scope), label).toBe(want.count);
      listed += want.sessions.length;
      const offsetPage = await store.page({ filter, scope, limit: 3, offset: 2 });
      expect(offsetPage.sessions, label).toEqual(want.sessions.slice(2, 5));
      let after: SessionKey | undefined;
      const walked = [];
      for (let page = 0; page < 100; page++) {
        const { sessions } = await store.page({ filter, scope, limit: 4, offset: 0, after });
        if (sessions.length === 0) break;
        walked.push(...sessions);
        const last = sessions.at(-1);
        after = last && key(last);
      }
      expect(walked, label).toEqual(want.sessions);
    }
    for (const session of (await plain.page({ filter: {}, scope, limit: 1000, offset: 0 })).sessions) {
      expect(await store.get(key(session))).toEqual(await plain.get(key(session)));
      const choose = { preferInitiatorId: session.initiator.id };
      expect(await store.find(session.id, scope, choose)).toEqual(
        await plain.find(session.id, scope, choose),
      );
    }
  }
  return listed;
}

/** Interception counts (served from counters for one value) equal a plain count. */
async function expectSameInterceptionCounts(db: Database, filters: InterceptionFilter[], scopes: Scope[]) {
  const store = new InterceptionStore(db.kysely);
  for (const scope of scopes) {
    for (const { sessionId: _, ...filter } of filters) {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int8 AS n FROM aibridge_interceptions i
        WHERE i.ended_at IS NOT NULL
          AND (${scope.initiatorId ?? null}::uuid IS NULL OR i.initiator_id = ${scope.initiatorId ?? null}::uuid)
          AND (${filter.initiatorId ?? null}::uuid IS NULL OR i.initiator_id = ${filter.initiatorId ?? null}::uuid)
          AND (${filter.provider ?? null}::text IS NULL OR i.provider = ${filter.provider ?? null})
          AND (${filter.model ?? null}::text IS NULL OR i.model = ${filter.model ?? null})
          AND (${filter.client ?? null}::text IS NULL OR COALESCE(i.client, 'Unknown') = ${filter.client ?? null})
          AND (${filter.startedAfter?.sql ?? null}::timestamptz IS NULL OR i.started_at >= ${filter.startedAfter?.sql ?? null}::timestamptz)
          AND (${filter.startedBefore?.sql ?? null}::timestamptz IS NULL OR i.started_at <= ${filter.startedBefore?.sql ?? null}::timestamptz)`.execute(
        db.kysely,
      );
      expect(await store.count(filter, scope), labelOf({ filter, scope })).toBe(Number(rows[0]?.n));
    }
  }
}

describeEachDatabase('session summaries match the plain query', (db) => {
  const users = Array.from({ length: 4 }, () => randomUUID());
  const seeded: SeedInterception[] = [];
  const next = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  let filters: InterceptionFilter[] = [];
  let scopes: Scope[] = [];

  /** One session's interceptions: threads of tool-call chains, mixed models, some unended. */
  function session(initiatorId: string, clientSessionId: string | null, start: number): SeedInterception[] {
    const rows: SeedInterception[] = [];
    let root: string | undefined;
    let parent: string | undefined;
    const steps = 1 + Math.floor(next() * 6);
    for (let k = 0; k < steps; k++) {
      const id = randomUUID();
      // Without a client session id every thread is its own session, so keep one thread.
      if (k > 0 && clientSessionId !== null && next() < 0.3) root = undefined;
      const [provider, model] = pick(MODELS);
      rows.push({
        id,
        initiatorId,
        clientSessionId,
        threadRootId: root ?? null,
        threadParentId: root ? (parent ?? null) : null,
        provider,
        model,
        client: pick(CLIENTS),
        metadata: { step: k },
        startedAt: new Date(BASE + (start + k * 500 + Math.floor(next() * 400)) * 1000),
        endedAt: next() < 0.1 ? null : undefined,
        tokens: Array.from({ length: Math.floor(next() * 3) }, () => ({
          input: 10,
          output: Math.floor(next() * 99),
        })),
        ...(next() < 0.7 ? { prompt: `prompt ${rows.length} of ${clientSessionId ?? id}` } : {}),
      });
      root ??= id;
      parent = id;
    }
    return rows;
  }

  beforeAll(async () => {
    for (const [u, user] of users.entries()) {
      await db()
        .kysely.insertInto('users')
        .values({ id: user, username: `sum${u}`, role: 'member' })
        .execute();
    }
    for (let s = 0; s < 40; s++) {
      // 'shared-1' is used by two users: two sessions sharing an id, never merged.
      const id = s < 2 ? 'shared-1' : s % 3 === 0 ? null : `sess-${s}`;
      seeded.push(...session(users[s % users.length] as string, id, Math.floor(next() * 12_000)));
    }
    await new Seeder(db().kysely).interceptions(seeded);
    filters = filterCombinations(users[1] as string);
    scopes = [{}, { initiatorId: users[1] }];
  });

  it('after seeding', async () => {
    expect(await expectSameListing(db(), filters, scopes)).toBeGreaterThan(100);
    await expectSameInterceptionCounts(db(), filters, scopes);
  });

  describe('after later writes', () => {
    it('the recorder ends interceptions together with their records, or after them', async () => {
      const open = session(users[2] as string, 'shared-1', 6_000).map((r) => ({
        ...r,
        endedAt: null,
        tokens: [],
      }));
      const fresh = session(users[3] as string, null, 20_000).map((r) => ({ ...r, endedAt: null }));
      await new Seeder(db().kysely).interceptions([...open, ...fresh]);
      const records = (r: SeedInterception, end: boolean): AsyncRecord[] => [
        {
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
        },
        {
          kind: 'prompt',
          interceptionId: r.id as string,
          providerResponseId: 'x',
          prompt: `late ${r.id}`,
          promptBytes: 1,
          createdAt: new Date(r.startedAt.getTime() + 5),
        },
        ...(end
          ? [
              {
                kind: 'end' as const,
                interceptionId: r.id as string,
                endedAt: new Date(r.startedAt.getTime() + 900),
              },
            ]
          : []),
      ];
      // One statement writes records and ends (counted once), another only records (not yet
      // counted: unended), then the end alone; then tokens for already ended interceptions.
      await writeBatch(
        db(),
        open.flatMap((r, i) => records(r, i % 2 === 0)),
      );
      await writeBatch(
        db(),
        fresh.flatMap((r) => records(r, false)),
      );
      await writeBatch(
        db(),
        [...open, ...fresh].map((r) => ({
          kind: 'end',
          interceptionId: r.id as string,
          endedAt: new Date(r.startedAt.getTime() + 800),
        })),
      );
      await writeBatch(
        db(),
        seeded.slice(0, 30).flatMap((r) => records(r, false)),
      );
      await db()
        .kysely.transaction()
        .execute(async (trx) => {
          const [r] = await new Seeder(trx).interceptions(
            session(users[0] as string, 'in-one-tx', 700).map((x) => ({ ...x, endedAt: null })),
          );
          await sql`INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens, output_tokens, created_at)
          VALUES (${randomUUID()}, ${r}, 'tx', 3, 4, now())`.execute(trx);
          await sql`UPDATE aibridge_interceptions SET ended_at = started_at + interval '1 second' WHERE id = ${r}`.execute(
            trx,
          );
          await sql`INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens, output_tokens, created_at)
          VALUES (${randomUUID()}, ${r}, 'tx', 30, 40, now())`.execute(trx);
        });
      await expectSameListing(db(), filters, scopes);
      await expectSameInterceptionCounts(db(), filters, scopes);
    });

    it('interceptions are changed, un-ended, and records deleted', async () => {
      const ids = seeded.filter((r) => r.endedAt !== null).map((r) => r.id as string);
      await sql`UPDATE aibridge_interceptions SET model = 'gpt-4.1', provider = 'openai' WHERE id = ANY(${ids.slice(0, 6)}::uuid[])`.execute(
        db().kysely,
      );
      await sql`UPDATE aibridge_interceptions SET client = NULL, started_at = started_at - interval '1 hour' WHERE id = ANY(${ids.slice(6, 9)}::uuid[])`.execute(
        db().kysely,
      );
      await sql`UPDATE aibridge_interceptions SET ended_at = NULL WHERE id = ANY(${ids.slice(9, 14)}::uuid[])`.execute(
        db().kysely,
      );
      await sql`DELETE FROM aibridge_token_usages WHERE interception_id = ANY(${ids.slice(14, 20)}::uuid[])`.execute(
        db().kysely,
      );
      await sql`DELETE FROM aibridge_user_prompts WHERE interception_id = ANY(${ids.slice(20, 26)}::uuid[])`.execute(
        db().kysely,
      );
      await sql`UPDATE aibridge_token_usages SET input_tokens = input_tokens + 1000 WHERE interception_id = ANY(${ids.slice(26, 30)}::uuid[])`.execute(
        db().kysely,
      );
      await expectSameListing(db(), filters, scopes);
      await expectSameInterceptionCounts(db(), filters, scopes);
    });

    it('retention deletes the oldest interceptions with their records', async () => {
      const retention = new RetentionStore(db().kysely);
      await retention.purgeBatch(new Date(BASE + 4_000_000), 25);
      await retention.purgeBatch(new Date(BASE + 6_000_000), 25);
      await expectSameListing(db(), filters, scopes);
      await expectSameInterceptionCounts(db(), filters, scopes);
    });
  });
});
