import { beforeAll, expect, it } from 'vitest';
import { Seeder } from '../seed.js';
import { describeEachServer, type TestServer } from '../server.js';
import { at, getJson } from './aibridge-helpers.js';

type User = Awaited<ReturnType<TestServer['createUser']>>;

describeEachServer('GET /api/v2/aibridge/models and /clients', (server) => {
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    alice = await server().createUser('alice');
    bob = await server().createUser('bob');
    const seeder = new Seeder(server().running.db.kysely);
    const rows = [
      { user: alice, model: 'claude-sonnet-4', client: 'Claude Code' },
      { user: alice, model: 'claude-haiku-4', client: null },
      { user: alice, model: 'claude-sonnet-4', client: 'Claude Code' },
      { user: bob, model: 'gpt-5', client: 'Codex' },
      { user: bob, model: 'gpt-4.1', client: 'Unknown' },
      { user: bob, model: 'gpt_x', client: 'Cursor' },
    ];
    await seeder.interceptions(
      rows.map((r, i) => ({ initiatorId: r.user.id, model: r.model, client: r.client, startedAt: at(i) })),
    );
    await seeder.interceptions([
      {
        initiatorId: alice.id,
        model: 'in-flight-model',
        client: 'In Flight',
        startedAt: at(99),
        endedAt: null,
      },
    ]);
  });

  const get = (path: string, token?: string) =>
    getJson<string[]>(server(), `/api/v2/aibridge/${path}`, token);

  it.each([
    ['models', ['claude-haiku-4', 'claude-sonnet-4', 'gpt-4.1', 'gpt-5', 'gpt_x']],
    ['models?q=gpt', ['gpt-4.1', 'gpt-5', 'gpt_x']],
    ['models?q=model:claude-s', ['claude-sonnet-4']],
    ['models?q=GPT', []],
    ['models?q=gpt%25', []],
    ['models?limit=2&offset=1', ['claude-sonnet-4', 'gpt-4.1']],
    ['clients', ['Claude Code', 'Codex', 'Cursor', 'Unknown']],
    ['clients?q=C', ['Claude Code', 'Codex', 'Cursor']],
    ['clients?q=client:Unk', ['Unknown']],
    ['clients?limit=1&offset=3', ['Unknown']],
  ])('%s lists distinct ended values, ascending', async (path, expected) => {
    expect(await get(path)).toEqual({ status: 200, body: expected });
  });

  it('shows members only the values of their own interceptions', async () => {
    expect((await get('models', alice.token)).body).toEqual(['claude-haiku-4', 'claude-sonnet-4']);
    expect((await get('clients', alice.token)).body).toEqual(['Claude Code', 'Unknown']);
    expect((await get('clients', bob.token)).body).toEqual(['Codex', 'Cursor', 'Unknown']);
  });

  it.each([
    [
      'models?limit=1001',
      { message: 'Invalid pagination limit value.', detail: 'Pagination limit must be in range (0, 1000]' },
    ],
    [
      'models?q=provider:openai',
      {
        message: 'Invalid AI Bridge models search query.',
        validations: [{ field: 'provider', detail: '"provider" is not a valid query param' }],
      },
    ],
    [
      'clients?q=a:b:c',
      {
        message: 'Invalid AI Bridge clients search query.',
        validations: [{ field: 'q', detail: `Query element "a:b:c" can only contain 1 ':'` }],
      },
    ],
    [
      'clients?after_id=1',
      {
        message: 'Query parameters have invalid values.',
        validations: [{ field: 'after_id', detail: 'Query param "after_id" must be a valid uuid' }],
      },
    ],
  ])('%s → 400', async (path, body) => {
    expect(await get(path)).toEqual({ status: 400, body });
  });
});
