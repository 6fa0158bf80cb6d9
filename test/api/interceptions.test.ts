import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Seeder } from '../seed.js';
import { describeEachServer, type TestServer } from '../server.js';
import { at, getJson, missingReferenceFields, referenceExample } from './aibridge-helpers.js';

const PATH = '/api/v2/aibridge/interceptions';
const BAD_QUERY = 'Query parameters have invalid values.';
const BAD_SEARCH = 'Invalid interception search query.';
const NANO = '2006-01-02T15:04:05.999999999Z07:00';
/** The day the fixed rows were seeded on (later tests add rows outside it). */
const MARCH_FIRST = 'started_after:"2026-03-01T00:00:00Z" started_before:"2026-03-02T00:00:00Z"';

interface Interception {
  id: string;
  initiator: { id: string; username: string };
  provider: string;
  model: string;
  client: string | null;
  started_at: string;
  ended_at: string | null;
  token_usages: Array<{ id: string; created_at: string }>;
  user_prompts: Array<{ prompt: string; created_at: string }>;
  tool_usages: Array<{ tool: string; server_url: string; invocation_error: string; created_at: string }>;
}
interface ListBody {
  count: number;
  results: Interception[];
}
type User = Awaited<ReturnType<TestServer['createUser']>>;

describeEachServer('GET /api/v2/aibridge/interceptions', (server) => {
  let alice: User;
  let bob: User;
  let auditor: User;
  const aliceIds: string[] = [];
  const bobIds: string[] = [];
  let detailedId = '';

  beforeAll(async () => {
    alice = await server().createUser('alice');
    bob = await server().createUser('bob');
    auditor = await server().createUser('audrey', 'auditor');
    const seeder = new Seeder(server().running.db.kysely);
    aliceIds.push(
      ...(await seeder.interceptions(
        Array.from({ length: 6 }, (_, i) => ({
          initiatorId: alice.id,
          startedAt: at(100 + i * 10),
          client: i === 5 ? null : 'Claude Code',
          model: i % 2 === 0 ? 'claude-sonnet-4' : 'claude-haiku-4',
        })),
      )),
    );
    bobIds.push(
      ...(await seeder.interceptions(
        Array.from({ length: 4 }, (_, i) => ({
          initiatorId: bob.id,
          startedAt: at(105 + i * 10),
          provider: 'openai',
          model: 'gpt-5',
          client: 'Codex',
        })),
      )),
    );
    const [detailed] = await seeder.interceptions([
      {
        initiatorId: alice.id,
        startedAt: at(50),
        apiKeyId: alice.token.slice(0, 10),
        metadata: { Username: 'alice', request_user_agent: 'claude-cli/2.1.197 (external, cli)' },
        prompt: 'fix the bug',
        tokens: [
          { input: 200, output: 20, cacheRead: 1000, cacheWrite: 50, metadata: { web_search_requests: 1 } },
          { input: 10, output: 5 },
        ],
        tools: [
          { tool: 'Read', input: '{"path":"a.ts"}' },
          {
            tool: 'bmcp_coder_list',
            injected: true,
            serverUrl: 'https://mcp.example',
            invocationError: 'boom',
          },
        ],
      },
    ]);
    detailedId = detailed as string;
    aliceIds.push(detailedId);
    await seeder.interceptions([{ initiatorId: alice.id, startedAt: at(500), endedAt: null }]);
  });

  const list = (query = '', token?: string) => getJson<ListBody>(server(), `${PATH}${query}`, token);

  describe('validation', () => {
    it.each([
      [
        '?limit=-1',
        'limit',
        'Query param "limit" must be a valid 32-bit positive integer: value is negative',
      ],
      [
        '?limit=abc',
        'limit',
        'Query param "limit" must be a valid 32-bit positive integer: strconv.ParseInt: parsing "abc": invalid syntax',
      ],
      [
        '?limit=2147483648',
        'limit',
        'Query param "limit" must be a valid 32-bit positive integer: strconv.ParseInt: parsing "2147483648": value out of range',
      ],
      [
        '?offset=-5',
        'offset',
        'Query param "offset" must be a valid 32-bit positive integer: value is negative',
      ],
      ['?after_id=nope', 'after_id', 'Query param "after_id" must be a valid uuid'],
      [
        '?limit=1&limit=2',
        'limit',
        'Query param "limit" provided more than once, found 2 times. Only provide 1 instance of this query param.',
      ],
    ])('%s → 400 with one validation', async (query, field, detail) => {
      expect(await list(query)).toEqual({
        status: 400,
        body: { message: BAD_QUERY, validations: [{ field, detail }] },
      });
    });

    it('reports every bad pagination parameter at once, in order', async () => {
      const { body } = await list('?offset=x&limit=-2&after_id=1');
      expect(
        (body as unknown as { validations: Array<{ field: string }> }).validations.map((v) => v.field),
      ).toEqual(['after_id', 'limit', 'offset']);
    });

    it.each([
      [
        '?limit=1001',
        { message: 'Invalid pagination limit value.', detail: 'Pagination limit must be in range (0, 1000]' },
      ],
      [
        `?after_id=${randomUUID()}&offset=1`,
        { message: BAD_QUERY, detail: 'Cannot use both after_id and offset pagination in the same request.' },
      ],
    ])('%s → 400', async (query, body) => {
      expect(await list(query)).toEqual({ status: 400, body });
    });

    it.each([
      ['model:', [['q', `Query element "model:" cannot start or end with ':'`]]],
      [
        'started_after:2026-01-01T00:00:00Z',
        [['q', `Query element "started_after:2026-01-01T00:00:00Z" can only contain 1 ':'`]],
      ],
      ['colour:red', [['colour', '"colour" is not a valid query param']]],
      ['session_id:x', [['session_id', '"session_id" is not a valid query param']]],
      [
        'initiator:nobody',
        [
          [
            'initiator',
            'Query param "initiator" has invalid value: user "nobody" either does not exist, or you are unauthorized to view them',
          ],
        ],
      ],
      [
        'started_after:"yesterday"',
        [
          [
            'started_after',
            `Query param "started_after" must be a valid date format (${NANO}): parsing time "YESTERDAY" as "${NANO}": cannot parse "YESTERDAY" as "2006"`,
          ],
        ],
      ],
      [
        'started_after:"2026-03-02T00:00:00Z" started_before:"2026-03-01T00:00:00Z"',
        [
          [
            'started_before',
            'Query param "started_before" has invalid value: "started_before" must be after "started_after" if set',
          ],
        ],
      ],
      [
        'provider:a provider:b model:x',
        [
          [
            'provider',
            'Query param "provider" provided more than once, found 2 times. Only provide 1 instance of this query param.',
          ],
        ],
      ],
    ])('q=%s → 400 with the search validations', async (q, validations) => {
      expect(await list(`?q=${encodeURIComponent(q)}`)).toEqual({
        status: 400,
        body: { message: BAD_SEARCH, validations: validations.map(([field, detail]) => ({ field, detail })) },
      });
    });

    it('rejects a cursor that does not exist', async () => {
      const id = randomUUID();
      expect(await list(`?after_id=${id}`)).toEqual({
        status: 400,
        body: {
          message: 'Invalid pagination cursor.',
          detail: `after_id: interception ${id} not found: invalid pagination cursor`,
        },
      });
    });
  });

  describe('results', () => {
    it('lists ended interceptions newest first and counts only those', async () => {
      const { status, body } = await list();
      expect(status).toBe(200);
      expect(body.count).toBe(11);
      const starts = body.results.map((r) => r.started_at);
      expect(starts).toEqual([...starts].sort().reverse());
      expect(body.results.every((r) => r.ended_at !== null)).toBe(true);
      expect(body.results[0]?.started_at).toBe('2026-03-01T00:02:30Z');
    });

    it('has every field of the reference example, sub-resources in creation order', async () => {
      const { body } = await list(`?q=${encodeURIComponent('started_before:"2026-03-01T00:00:50Z"')}`);
      expect(body.count).toBe(1);
      const example = referenceExample('interceptions');
      expect(missingReferenceFields(body, example)).toEqual([]);
      expect(body.results[0]).toEqual({
        id: detailedId,
        api_key_id: alice.token.slice(0, 10),
        initiator: { id: alice.id, username: 'alice', name: '', avatar_url: '' },
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        client: 'Claude Code',
        metadata: { Username: 'alice', request_user_agent: 'claude-cli/2.1.197 (external, cli)' },
        started_at: '2026-03-01T00:00:50Z',
        ended_at: '2026-03-01T00:00:51Z',
        cost_micros: null,
        token_usages: [
          expect.objectContaining({
            interception_id: detailedId,
            input_tokens: 200,
            output_tokens: 20,
            cache_read_input_tokens: 1000,
            cache_write_input_tokens: 50,
            metadata: { web_search_requests: 1 },
            created_at: '2026-03-01T00:00:50.1Z',
          }),
          expect.objectContaining({
            input_tokens: 10,
            output_tokens: 5,
            created_at: '2026-03-01T00:00:50.101Z',
          }),
        ],
        user_prompts: [expect.objectContaining({ prompt: 'fix the bug', metadata: {} })],
        tool_usages: [
          expect.objectContaining({ tool: 'Read', server_url: '', injected: false, invocation_error: '' }),
          expect.objectContaining({
            tool: 'bmcp_coder_list',
            server_url: 'https://mcp.example',
            injected: true,
            invocation_error: 'boom',
          }),
        ],
      });
    });

    it('gives [] (never null) for empty lists and null for a missing client', async () => {
      const { body } = await list(`?q=client:Unknown`);
      expect(body.count).toBe(1);
      expect(body.results[0]).toMatchObject({
        client: null,
        api_key_id: null,
        token_usages: [],
        tool_usages: [],
      });
      const none = await list(`?q=model:nothing`);
      expect(none.body).toEqual({ count: 0, results: [] });
    });

    it.each([
      ['provider:openai', 4],
      ['model:gpt-5 client:Codex', 4],
      ['client:"Claude Code" model:claude-haiku-4', 2],
      ['client:Unknown provider:anthropic', 1],
      ['initiator:bob', 4],
      ['bob', 4],
      ['initiator:me', 0],
      ['started_after:"2026-03-01T00:01:45Z" started_before:"2026-03-01T00:02:05Z"', 5],
      ['initiator:alice model:claude-sonnet-4 started_after:"2026-03-01T00:01:00Z"', 3],
    ])('filters with q=%s', async (q, count) => {
      const { body } = await list(`?q=${encodeURIComponent(q)}&limit=1000`);
      expect(body.count).toBe(count);
      expect(body.results).toHaveLength(count);
    });
  });

  describe('pagination', () => {
    it('walks 4+ pages by after_id without duplicates or gaps while new rows arrive', async () => {
      const everything = (await list('?limit=1000')).body.results.map((r) => r.id);
      const seen: string[] = [];
      const seeder = new Seeder(server().running.db.kysely);
      let cursor = '';
      for (let page = 0; page < 10; page++) {
        const { body } = await list(`?limit=3${cursor ? `&after_id=${cursor}` : ''}`);
        if (body.results.length === 0) break;
        seen.push(...body.results.map((r) => r.id));
        cursor = body.results.at(-1)?.id ?? '';
        await seeder.interceptions([{ initiatorId: bob.id, startedAt: new Date(Date.now() + page * 1000) }]);
      }
      expect(seen).toEqual(everything);
    });

    it('pages by offset, and the count ignores the page', async () => {
      const everything = (await list('?limit=1000&q=initiator:alice')).body.results.map((r) => r.id);
      const pages = await Promise.all(
        [0, 3, 6].map((offset) => list(`?limit=3&offset=${offset}&q=initiator:alice`)),
      );
      expect(pages.flatMap((p) => p.body.results.map((r) => r.id))).toEqual(everything);
      expect(pages.map((p) => p.body.count)).toEqual([7, 7, 7]);
    });

    it('uses 100 when limit is 0 or absent', async () => {
      const seeder = new Seeder(server().running.db.kysely);
      await seeder.interceptions(
        Array.from({ length: 100 }, (_, i) => ({
          initiatorId: bob.id,
          startedAt: at(-1000 - i),
          model: 'bulk',
        })),
      );
      for (const query of ['', '?limit=0']) {
        expect((await list(query)).body.results).toHaveLength(100);
      }
    });
  });

  describe('who sees what', () => {
    it('shows owners and auditors everyone, members only their own', async () => {
      const counts = async (token: string) =>
        (await list(`?limit=1000&q=${encodeURIComponent(MARCH_FIRST)}`, token)).body;
      expect((await counts(server().ownerToken)).count).toBe(11);
      expect((await counts(auditor.token)).count).toBe(11);
      const mine = await counts(alice.token);
      expect(mine.count).toBe(7);
      expect(new Set(mine.results.map((r) => r.initiator.id))).toEqual(new Set([alice.id]));
      expect((await list(`?q=initiator:me ${encodeURIComponent(MARCH_FIRST)}`, alice.token)).body.count).toBe(
        7,
      );
    });

    it("gives members nothing of others': no rows, no usernames, no cursors", async () => {
      expect((await list(`?q=initiator:${bob.id}`, alice.token)).body).toEqual({ count: 0, results: [] });
      const byName = await list('?q=initiator:bob', alice.token);
      expect(byName.status).toBe(400);
      expect(byName.body).toMatchObject({ message: BAD_SEARCH, validations: [{ field: 'initiator' }] });
      const cursor = await list(`?after_id=${bobIds[0]}`, alice.token);
      expect(cursor).toEqual({
        status: 400,
        body: {
          message: 'Invalid pagination cursor.',
          detail: `after_id: interception ${bobIds[0]} not found: invalid pagination cursor`,
        },
      });
      expect((await list(`?after_id=${aliceIds[0]}`, alice.token)).status).toBe(200);
    });

    it('needs a token', async () => {
      const res = await server().request(PATH, { token: null });
      expect(res.status).toBe(401);
    });
  });
});
