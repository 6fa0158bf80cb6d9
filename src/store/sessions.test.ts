import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { Seeder, type SeedInterception } from '../../test/seed.js';
import type { InterceptionFilter } from '../search/filters.js';
import { parseGoTime, RFC3339_NANO } from '../search/go-time.js';
import type { Scope } from './scope.js';
import { type SessionKey, SessionStore } from './sessions.js';

const BASE = Date.UTC(2026, 5, 1);
const MODELS = ['claude-sonnet-4', 'claude-haiku-4', 'gpt-5'];
const CLIENTS = ['Claude Code', 'Codex', null];

const instant = (offsetSeconds: number) => {
  const parsed = parseGoTime(new Date(BASE + offsetSeconds * 1000).toISOString(), RFC3339_NANO);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.instant;
};

/** What the sessions list must return, computed naively from every seeded row. */
function expected(rows: SeedInterception[], filter: InterceptionFilter, scope: Scope): string[] {
  const sessionOf = (r: SeedInterception) =>
    `${r.initiatorId}|${r.clientSessionId ?? r.threadRootId ?? r.id}`;
  const ended = rows.filter((r) => r.endedAt !== null);
  const matches = (r: SeedInterception) =>
    (scope.initiatorId === undefined || r.initiatorId === scope.initiatorId) &&
    (filter.initiatorId === undefined || r.initiatorId === filter.initiatorId) &&
    (filter.model === undefined || r.model === filter.model) &&
    (filter.client === undefined || (r.client ?? 'Unknown') === filter.client) &&
    (filter.startedAfter === undefined ||
      BigInt(r.startedAt.getTime()) * 1_000_000n >= filter.startedAfter.ns) &&
    (filter.startedBefore === undefined ||
      BigInt(r.startedAt.getTime()) * 1_000_000n <= filter.startedBefore.ns);
  const matching = new Set(ended.filter(matches).map(sessionOf));
  const lastActive = new Map<string, number>();
  for (const r of ended) {
    const key = sessionOf(r);
    lastActive.set(key, Math.max(lastActive.get(key) ?? 0, r.startedAt.getTime()));
  }
  return [...matching].sort((a, b) => (lastActive.get(b) ?? 0) - (lastActive.get(a) ?? 0));
}

describeEachDatabase('session listing', (db) => {
  const users = Array.from({ length: 4 }, () => randomUUID());
  const rows: SeedInterception[] = [];

  beforeAll(async () => {
    for (const [u, user] of users.entries()) {
      await db()
        .kysely.insertInto('users')
        .values({ id: user, username: `user${u}`, role: 'member' })
        .execute();
    }
    let clock = 0;
    for (let s = 0; s < 24; s++) {
      const initiatorId = users[s % users.length] as string;
      const clientSessionId = s % 3 === 0 ? null : `sess-${s % 10}`;
      const root = randomUUID();
      const start = ((s * 7919) % 97) * 60;
      for (let k = 0; k < 1 + (s % 4); k++) {
        clock += 1;
        rows.push({
          id: k === 0 ? root : randomUUID(),
          initiatorId,
          clientSessionId,
          threadRootId: k === 0 ? null : root,
          model: MODELS[(s + k) % MODELS.length],
          client: CLIENTS[s % CLIENTS.length],
          startedAt: new Date(BASE + (start + k * 600 + clock) * 1000),
          endedAt: s === 5 && k === 0 ? null : undefined,
        });
      }
    }
    await new Seeder(db().kysely).interceptions(rows);
  });

  const filters: Array<[string, InterceptionFilter]> = [
    ['none', {}],
    ['model', { model: 'gpt-5' }],
    ['client Unknown', { client: 'Unknown' }],
    ['initiator and model', { initiatorId: users[1], model: 'claude-haiku-4' }],
    ['time window', { startedAfter: instant(1800), startedBefore: instant(4000) }],
    ['nothing matches', { model: 'nope' }],
  ];
  const scopes: Array<[string, Scope]> = [
    ['everyone', {}],
    ['a member', { initiatorId: users[2] }],
  ];

  it.each(
    filters.flatMap(([f, filter]) => scopes.map(([s, scope]) => [`${f}, ${s}`, filter, scope] as const)),
  )('lists what a naive reading says (%s), by cursor and by offset', async (_, filter, scope) => {
    const want = expected(rows, filter, scope);
    {
      const store = new SessionStore(db().kysely);
      const all = await store.page({ filter, scope, limit: 1000, offset: 0 });
      const key = (s: { initiator: { id: string }; id: string }) => `${s.initiator.id}|${s.id}`;
      expect(all.count).toBe(want.length);
      expect(all.sessions.map(key)).toEqual(want);

      const walked: string[] = [];
      let after: SessionKey | undefined;
      for (let page = 0; page < 30; page++) {
        const { sessions } = await store.page({ filter, scope, limit: 4, offset: 0, after });
        if (sessions.length === 0) break;
        walked.push(...sessions.map(key));
        const last = sessions.at(-1);
        after = last && { initiatorId: last.initiator.id, sessionId: last.id };
      }
      expect(walked).toEqual(want);
      const second = await store.page({ filter, scope, limit: 4, offset: 4 });
      expect(second.sessions.map(key)).toEqual(want.slice(4, 8));
    }
  });
});
