import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Conversation, Seeder } from '../seed.js';
import { describeEachServer, type TestServer } from '../server.js';
import { at, getJson, missingReferenceFields, referenceExample } from './aibridge-helpers.js';

const PATH = '/api/v2/aibridge/sessions';
const BAD_QUERY = 'Query parameters have invalid values.';

interface Session {
  id: string;
  initiator: { id: string; username: string };
  providers: string[];
  models: string[];
  client: string | null;
  started_at: string;
  ended_at?: string;
  last_active_at: string;
  threads: number;
  token_usage_summary: Record<string, number>;
  last_prompt?: string;
}
interface ListBody {
  count: number;
  sessions: Session[];
}
type User = Awaited<ReturnType<TestServer['createUser']>>;
const q = (query: string) => `q=${encodeURIComponent(query)}`;
const time = (seconds: number) => at(seconds).toISOString().replace('.000Z', 'Z');

describeEachServer('GET /api/v2/aibridge/sessions', (server) => {
  let alice: User;
  let bob: User;
  let auditor: User;
  let threadSession: Conversation;
  let single = '';

  beforeAll(async () => {
    alice = await server().createUser('alice');
    bob = await server().createUser('bob');
    auditor = await server().createUser('audrey', 'auditor');
    const seeder = new Seeder(server().running.db.kysely);
    const conversation = (
      options: Omit<Parameters<Seeder['conversation']>[0], 'initiatorId'>,
      user = alice,
    ) => seeder.conversation({ initiatorId: user.id, ...options });
    await conversation({
      clientSessionId: 'shared-sid',
      start: at(1000),
      threads: 2,
      loops: 2,
      models: ['claude-sonnet-4', 'claude-haiku-4'],
      promptPrefix: 'A',
    });
    await seeder.interceptions([
      {
        initiatorId: alice.id,
        clientSessionId: 'shared-sid',
        startedAt: at(6000),
        endedAt: null,
        prompt: 'unfinished',
      },
    ]);
    await conversation(
      {
        clientSessionId: 'shared-sid',
        start: at(2000),
        threads: 1,
        client: 'Codex',
        provider: 'openai',
        model: 'gpt-5',
      },
      bob,
    );
    threadSession = await conversation({ start: at(3000), threads: 1, loops: 2, promptPrefix: 'C' });
    const [singleId] = await seeder.interceptions([
      { initiatorId: alice.id, startedAt: at(500), client: null, prompt: 'D' },
    ]);
    single = singleId as string;
    await seeder.interceptions([
      {
        initiatorId: alice.id,
        clientSessionId: 'prec-sid',
        threadRootId: threadSession.roots[0],
        threadParentId: threadSession.roots[0],
        startedAt: at(3500),
      },
    ]);
    await conversation({
      clientSessionId: 'late-sid',
      start: at(100),
      threads: 1,
      loops: 0,
      promptPrefix: 'F early',
    });
    await conversation({
      clientSessionId: 'late-sid',
      start: at(2500),
      threads: 1,
      loops: 0,
      promptPrefix: 'F late',
    });
    await conversation({
      clientSessionId: 'big-sid',
      start: at(4000),
      threads: 61,
      loops: 1,
      promptPrefix: 'E',
    });
  });

  const list = (query = '', token?: string) => getJson<ListBody>(server(), `${PATH}?${query}`, token);
  const ids = (body: ListBody) => body.sessions.map((s) => `${s.initiator.username}:${s.id}`);
  const C = () => threadSession.roots[0] as string;

  describe('validation', () => {
    it.each([
      [
        'limit=-1',
        {
          validations: [
            {
              field: 'limit',
              detail: 'Query param "limit" must be a valid 32-bit positive integer: value is negative',
            },
          ],
        },
      ],
      [
        'after_id=x',
        { validations: [{ field: 'after_id', detail: 'Query param "after_id" must be a valid uuid' }] },
      ],
      [
        'after_session_id=shared-sid&offset=2',
        { detail: 'Cannot use both after_session_id and offset pagination in the same request.' },
      ],
    ])('%s → 400', async (query, body) => {
      expect(await list(query)).toEqual({ status: 400, body: { message: BAD_QUERY, ...body } });
    });

    it('refuses limits out of range and q without keys, with the session wording', async () => {
      expect((await list('limit=5000')).body).toEqual({
        message: 'Invalid pagination limit value.',
        detail: 'Pagination limit must be in range (0, 1000]',
      });
      expect(await list(q('alice'))).toEqual({
        status: 400,
        body: {
          message: 'Invalid session search query.',
          validations: [{ field: 'q', detail: 'no search key specified' }],
        },
      });
      expect((await list(q('initiator:alice flavour:mint'))).body).toEqual({
        message: 'Invalid session search query.',
        validations: [{ field: 'flavour', detail: '"flavour" is not a valid query param' }],
      });
    });

    it('refuses a cursor session that does not exist (or is not visible)', async () => {
      const expected = {
        message: 'Query parameter has invalid value.',
        detail: 'after_session_id: session "nope" not found',
      };
      expect(await list('after_session_id=nope')).toEqual({ status: 400, body: expected });
      const bobs = await list(`after_session_id=shared-sid&after_initiator_id=${bob.id}`, alice.token);
      expect(bobs.body).toEqual({ ...expected, detail: 'after_session_id: session "shared-sid" not found' });
    });
  });

  describe('semantics', () => {
    it('groups by client session id, else thread root, else the interception; newest activity first', async () => {
      const { body } = await list();
      expect(body.count).toBe(7);
      expect(ids(body)).toEqual([
        'alice:big-sid',
        'alice:prec-sid',
        `alice:${C()}`,
        'alice:late-sid',
        'bob:shared-sid',
        'alice:shared-sid',
        `alice:${single}`,
      ]);
      const lastActive = body.sessions.map((s) => s.last_active_at);
      expect(lastActive).toEqual([...lastActive].sort().reverse());
    });

    it('describes the whole session, matching the reference example', async () => {
      const { body } = await list(q('session_id:shared-sid initiator:alice'));
      const example = referenceExample('sessions');
      expect(missingReferenceFields(body, example)).toEqual([]);
      expect(body).toEqual({
        count: 1,
        sessions: [
          {
            id: 'shared-sid',
            initiator: { id: alice.id, username: 'alice', name: '', avatar_url: '' },
            providers: ['anthropic'],
            models: ['claude-haiku-4', 'claude-sonnet-4'],
            client: 'Claude Code',
            metadata: { Username: 'seed' },
            started_at: time(1000),
            ended_at: time(1006),
            last_active_at: time(1005),
            threads: 2,
            token_usage_summary: {
              input_tokens: 600,
              output_tokens: 60,
              cache_read_input_tokens: 30,
              cache_write_input_tokens: 6,
            },
            cost_micros: 0,
            unpriced_interceptions: 6,
            last_prompt: 'A 2',
          },
        ],
      });
    });

    it('lets filters choose sessions but shows every interception of them', async () => {
      const { body } = await list(q('model:claude-haiku-4'));
      expect(ids(body)).toEqual(['alice:shared-sid']);
      expect(body.sessions[0]?.models).toEqual(['claude-haiku-4', 'claude-sonnet-4']);
      expect(body.sessions[0]?.token_usage_summary.input_tokens).toBe(600);

      const early = await list(q(`started_before:"${time(600)}"`));
      expect(ids(early.body)).toEqual(['alice:late-sid', `alice:${single}`]);
      expect(early.body.sessions[0]).toMatchObject({
        last_active_at: time(2500),
        last_prompt: 'F late 1',
        threads: 2,
      });
    });

    it.each([
      ['provider:openai', ['bob:shared-sid']],
      ['client:Unknown', ['alice:<single>']],
      ['client:Codex initiator:bob', ['bob:shared-sid']],
      ['session_id:shared-sid', ['bob:shared-sid', 'alice:shared-sid']],
      [`started_after:"${time(3001)}"`, ['alice:big-sid', 'alice:prec-sid', 'alice:<thread root>']],
      [
        `initiator:alice started_after:"${time(900)}" started_before:"${time(2600)}" model:claude-sonnet-4`,
        ['alice:late-sid', 'alice:shared-sid'],
      ],
      ['initiator:me', []],
    ])('filters with q=%s', async (query, expected) => {
      const { body } = await list(q(query));
      const named = (id: string) => id.replace('<single>', single).replace('<thread root>', C());
      expect(ids(body)).toEqual(expected.map(named));
      expect(body.count).toBe(expected.length);
    });

    it('keeps two users with the same client session id apart', async () => {
      const both = await list(q('session_id:shared-sid'));
      expect(both.body.sessions.map((s) => [s.initiator.username, s.threads, s.providers])).toEqual([
        ['bob', 1, ['openai']],
        ['alice', 2, ['anthropic']],
      ]);
      expect(
        (await list(q('session_id:shared-sid'), bob.token)).body.sessions.map((s) => s.initiator.username),
      ).toEqual(['bob']);
    });
  });

  describe('pagination', () => {
    const walk = async (token: string, extra = '') => {
      const seen: string[] = [];
      let cursor = '';
      for (let page = 0; page < 20; page++) {
        const { status, body } = await list(`limit=2${extra}${cursor}`, token);
        expect(status).toBe(200);
        if (body.sessions.length === 0) break;
        seen.push(...ids(body));
        const last = body.sessions.at(-1) as Session;
        cursor = `&after_session_id=${encodeURIComponent(last.id)}&after_initiator_id=${last.initiator.id}`;
        await new Seeder(server().running.db.kysely).interceptions([
          {
            initiatorId: alice.id,
            clientSessionId: `new-${randomUUID()}`,
            startedAt: new Date(Date.now() + 1000),
          },
        ]);
      }
      return seen;
    };

    it('walks 4 pages by after_session_id, across the shared id, with no duplicates or gaps while sessions arrive', async () => {
      const scope = `&${q(`started_before:"${time(5000)}"`)}`;
      const everything = ids((await list(`limit=1000${scope}`)).body);
      expect(everything.length).toBeGreaterThanOrEqual(7);
      expect(await walk(server().ownerToken, scope)).toEqual(everything);
    });

    it('walks a member through their own sessions only', async () => {
      const scope = `&${q(`started_before:"${time(5000)}"`)}`;
      const everything = ids((await list(`limit=1000${scope}`, alice.token)).body);
      expect(everything.every((id) => id.startsWith('alice:'))).toBe(true);
      expect(await walk(alice.token, scope)).toEqual(everything);
    });

    it('pages by offset', async () => {
      const scope = q(`started_before:"${time(5000)}"`);
      const everything = ids((await list(`limit=1000&${scope}`)).body);
      const pages = await Promise.all([0, 3, 6].map((offset) => list(`limit=3&offset=${offset}&${scope}`)));
      expect(pages.flatMap((p) => ids(p.body))).toEqual(everything);
      expect(new Set(pages.map((p) => p.body.count))).toEqual(new Set([everything.length]));
    });
  });

  describe('who sees what', () => {
    it('shows owners and auditors every session, members their own', async () => {
      const scope = q(`started_before:"${time(5000)}"`);
      const owner = (await list(scope)).body;
      expect((await list(scope, auditor.token)).body).toEqual(owner);
      const aliceView = (await list(scope, alice.token)).body;
      expect(aliceView.count).toBe(owner.count - 1);
      expect(ids(aliceView)).toEqual(ids(owner).filter((id) => id.startsWith('alice:')));
      expect((await list(`${q(`initiator:${alice.id}`)}`, bob.token)).body).toEqual({
        count: 0,
        sessions: [],
      });
    });
  });

  describe('omit-empty rules', () => {
    it('omits what a session lacks: a null client and no last_prompt', async () => {
      const seeder = new Seeder(server().running.db.kysely);
      const [quiet] = await seeder.interceptions([{ initiatorId: bob.id, startedAt: at(-50), client: null }]);
      const { body } = await list(q(`session_id:${quiet}`));
      expect(body.sessions[0]).toMatchObject({
        id: quiet,
        client: null,
        threads: 1,
        providers: ['anthropic'],
      });
      expect(body.sessions[0]).not.toHaveProperty('last_prompt');
    });
  });
});
