import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Conversation, Seeder } from '../seed.js';
import { describeEachServer, type TestServer } from '../server.js';
import { at, getJson } from './aibridge-helpers.js';

const PATH = '/api/v2/aibridge/sessions';

interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  metadata: Record<string, number>;
}
interface Thread {
  id: string;
  prompt?: string;
  model: string;
  provider: string;
  started_at: string;
  ended_at?: string;
  token_usage: TokenUsage;
  agentic_actions: Array<{
    model: string;
    token_usage: TokenUsage;
    thinking: Array<{ text: string }>;
    tool_calls: Array<Record<string, unknown>>;
  }>;
}
interface Detail {
  id: string;
  initiator: { id: string; username: string };
  client?: string;
  page_started_at?: string;
  page_ended_at?: string;
  started_at: string;
  ended_at?: string;
  token_usage_summary: TokenUsage;
  threads: Thread[];
}
type User = Awaited<ReturnType<TestServer['createUser']>>;
const time = (seconds: number) => at(seconds).toISOString().replace('.000Z', 'Z');

describeEachServer('GET /api/v2/aibridge/sessions/{session_id}', (server) => {
  let alice: User;
  let bob: User;
  let auditor: User;
  let big: Conversation;
  let small: Conversation;
  let bobShared: Conversation;

  beforeAll(async () => {
    alice = await server().createUser('alice');
    bob = await server().createUser('bob');
    auditor = await server().createUser('audrey', 'auditor');
    const seeder = new Seeder(server().running.db.kysely);
    big = await seeder.conversation({
      initiatorId: alice.id,
      clientSessionId: 'big-sid',
      start: at(0),
      threads: 63,
      loops: 2,
      promptPrefix: 'task',
    });
    small = await seeder.conversation({
      initiatorId: alice.id,
      clientSessionId: 'shared-sid',
      start: at(1000),
      threads: 2,
      loops: 1,
      models: ['claude-opus-4', 'claude-haiku-4'],
    });
    bobShared = await seeder.conversation({
      initiatorId: bob.id,
      clientSessionId: 'shared-sid',
      start: at(2000),
      threads: 1,
      loops: 0,
      client: 'Codex',
      provider: 'openai',
      model: 'gpt-5',
    });
  });

  const detail = (id: string, query = '', token?: string) =>
    getJson<Detail>(server(), `${PATH}/${encodeURIComponent(id)}${query ? `?${query}` : ''}`, token);

  describe('validation', () => {
    it.each([
      ['after_id=nope', { message: 'Invalid after_id query parameter.', detail: 'invalid UUID length: 4' }],
      [
        `before_id=${'z'.repeat(36)}`,
        { message: 'Invalid before_id query parameter.', detail: 'invalid UUID format' },
      ],
      [
        `after_id=${randomUUID()}&before_id=${randomUUID()}`,
        { message: 'Cannot use both after_id and before_id in the same request.' },
      ],
      ['limit=0', { message: 'Invalid limit query parameter.', detail: 'Limit must be between 1 and 200.' }],
      [
        'limit=201',
        { message: 'Invalid limit query parameter.', detail: 'Limit must be between 1 and 200.' },
      ],
      [
        'limit=ten',
        { message: 'Invalid limit query parameter.', detail: 'Limit must be between 1 and 200.' },
      ],
    ])('%s → 400', async (query, body) => {
      expect(await detail('big-sid', query)).toEqual({ status: 400, body });
    });

    it('needs a session id', async () => {
      expect(await getJson(server(), `${PATH}/`)).toEqual({
        status: 400,
        body: { message: 'Missing session_id path parameter.' },
      });
    });

    it('answers 404 for a session that does not exist', async () => {
      expect(await detail('no-such-session')).toEqual({
        status: 404,
        body: { message: 'Session not found.' },
      });
    });

    it('refuses cursors that are unknown or belong elsewhere', async () => {
      const unknown = randomUUID();
      expect(await detail('big-sid', `after_id=${unknown}`)).toEqual({
        status: 400,
        body: {
          message: 'Invalid pagination cursor.',
          detail: `after_id: interception ${unknown} not found: invalid pagination cursor`,
        },
      });
      const elsewhere = small.roots[0];
      expect(await detail('big-sid', `before_id=${elsewhere}`)).toEqual({
        status: 400,
        body: {
          message: 'Invalid pagination cursor.',
          detail: `before_id: interception ${elsewhere} does not belong to session big-sid: invalid pagination cursor`,
        },
      });
    });
  });

  describe('a session of 63 threads', () => {
    it('pages threads oldest first, 50 by default, with totals over all of them', async () => {
      const { status, body } = await detail('big-sid');
      expect(status).toBe(200);
      expect(body.threads.map((t) => t.id)).toEqual(big.roots.slice(0, 50));
      expect(body.token_usage_summary).toEqual({
        input_tokens: 63 * 3 * 100,
        output_tokens: 63 * 3 * 10,
        cache_read_input_tokens: 63 * 3 * 5,
        cache_write_input_tokens: 63 * 3,
        metadata: { reasoning_tokens: 63 * 3 * 2 },
        // Seeded rows carry no cost: every interception counts as unpriced, none is priced at 0.
        cost_micros: 0,
        unpriced_interceptions: 63 * 3,
      });
      expect(body.page_started_at).toBe(time(0));
      expect(body.page_ended_at).toBe(time(150));
      expect(body.started_at).toBe(time(0));
      expect(body.ended_at).toBe(time(189));
      expect(body.client).toBe('Claude Code');
    });

    it('continues after a thread and reads backwards before one', async () => {
      const next = await detail('big-sid', `after_id=${big.roots[49]}&limit=20`);
      expect(next.body.threads.map((t) => t.id)).toEqual(big.roots.slice(50));
      const before = await detail('big-sid', `before_id=${big.roots[50]}&limit=5`);
      expect(before.body.threads.map((t) => t.id)).toEqual(big.roots.slice(45, 50));
      const end = await detail('big-sid', `after_id=${big.roots[62]}`);
      expect(end.body.threads).toEqual([]);
      expect(end.body).not.toHaveProperty('page_started_at');
      expect(end.body).not.toHaveProperty('page_ended_at');
      expect(end.body.token_usage_summary.input_tokens).toBe(63 * 300);
    });

    it('lays out each thread: prompt, root model, times, tokens and one agentic action per tool-calling step', async () => {
      const { body } = await detail('big-sid', 'limit=1');
      const [thread] = body.threads;
      expect(thread).toEqual({
        id: big.roots[0],
        prompt: 'task 1',
        model: 'claude-sonnet-4',
        provider: 'anthropic',
        started_at: time(0),
        ended_at: time(3),
        token_usage: {
          input_tokens: 300,
          output_tokens: 30,
          cache_read_input_tokens: 15,
          cache_write_input_tokens: 3,
          metadata: { reasoning_tokens: 6 },
          cost_micros: 0,
          unpriced_interceptions: 3,
        },
        agentic_actions: [0, 1].map((step) => ({
          model: 'claude-sonnet-4',
          token_usage: {
            input_tokens: 100,
            output_tokens: 10,
            cache_read_input_tokens: 5,
            cache_write_input_tokens: 1,
            metadata: { reasoning_tokens: 2 },
            cost_micros: 0,
            unpriced_interceptions: 1,
          },
          thinking: [{ text: `thinking 0-${step}` }],
          tool_calls: [
            {
              id: expect.any(String),
              interception_id: big.ids[step],
              provider_response_id: `msg_${big.ids[step]?.slice(0, 8)}`,
              server_url: '',
              tool: 'Read',
              injected: false,
              input: `{"file":"0-${step}"}`,
              metadata: {},
              created_at: `${time(step).slice(0, -1)}.2Z`,
            },
          ],
        })),
      });
    });
  });

  it('says why an injected tool failed (an aibridge addition; omitted when it did not)', async () => {
    await new Seeder(server().running.db.kysely).interceptions([
      {
        initiatorId: alice.id,
        clientSessionId: 'mcp-sid',
        startedAt: at(6000),
        prompt: 'look it up',
        tools: [
          { tool: 'Read', input: '{}' },
          {
            tool: 'docs_search',
            injected: true,
            serverUrl: 'https://mcp.example',
            invocationError: 'timed out',
          },
        ],
      },
    ]);
    const { body } = await detail('mcp-sid');
    const calls = body.threads[0]?.agentic_actions[0]?.tool_calls ?? [];
    expect(calls.map((c) => [c.tool, c.injected, c.server_url, c.invocation_error])).toEqual([
      ['Read', false, '', undefined],
      ['docs_search', true, 'https://mcp.example', 'timed out'],
    ]);
    expect(calls[0]).not.toHaveProperty('invocation_error');
  });

  it('reads any client session id, encoded in the path', async () => {
    const odd = 'team/feature x é?#';
    await new Seeder(server().running.db.kysely).interceptions([
      { initiatorId: alice.id, clientSessionId: odd, startedAt: at(5000), prompt: 'odd' },
    ]);
    const { status, body } = await detail(odd);
    expect(status).toBe(200);
    expect(body.id).toBe(odd);
    expect(body.threads.map((t) => t.prompt)).toEqual(['odd']);
  });

  describe('an id two users share', () => {
    it('never merges them: yours, else the most recently active, else the one asked for', async () => {
      const owner = await detail('shared-sid');
      expect(owner.body.initiator.username).toBe('bob');
      expect(owner.body.threads.map((t) => t.id)).toEqual(bobShared.roots);
      expect(owner.body.token_usage_summary.input_tokens).toBe(100);
      const asked = await detail('shared-sid', 'initiator=alice');
      expect(asked.body.initiator.username).toBe('alice');
      expect(asked.body.threads.map((t) => t.id)).toEqual(small.roots);
      expect(asked.body.token_usage_summary.input_tokens).toBe(400);
      expect((await detail('shared-sid', `initiator=${alice.id}`)).body).toEqual(asked.body);
      const own = await detail('shared-sid', '', alice.token);
      expect(own.body).toEqual(asked.body);
      expect((await detail('shared-sid', 'initiator=me', bob.token)).body.initiator.username).toBe('bob');
    });

    it("refuses another user's cursor inside one's own session of the same id", async () => {
      const res = await detail('shared-sid', `after_id=${bobShared.roots[0]}`, alice.token);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: 'Invalid pagination cursor.' });
    });
  });

  describe('who sees what', () => {
    it('lets owners and auditors read any session, members only their own', async () => {
      expect((await detail('big-sid', '', auditor.token)).status).toBe(200);
      expect((await detail('big-sid', '', alice.token)).status).toBe(200);
      expect(await detail('big-sid', '', bob.token)).toEqual({
        status: 404,
        body: { message: 'Session not found.' },
      });
      expect((await detail('shared-sid', `initiator=${alice.id}`, bob.token)).status).toBe(404);
      const byName = await detail('shared-sid', 'initiator=alice', bob.token);
      expect(byName.status).toBe(400);
      expect(byName.body).toMatchObject({ validations: [{ field: 'initiator' }] });
    });
  });
});
