import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, getJson } from './api/aibridge-helpers.js';
import { runCli } from './cli.js';
import { Seeder } from './seed.js';
import { startTestServer, type TestServer } from './server.js';

describe('aibridge interceptions and sessions commands (over the REST API)', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let roots: string[] = [];

  beforeAll(async () => {
    server = await startTestServer('pglite');
    env = { AIBRIDGE_URL: server.url, AIBRIDGE_TOKEN: server.ownerToken };
    const alice = await server.createUser('alice');
    const seeder = new Seeder(server.running.db.kysely);
    ({ roots } = await seeder.conversation({
      initiatorId: alice.id,
      clientSessionId: 'cli-sid',
      start: at(0),
      threads: 3,
    }));
    await seeder.interceptions([
      { initiatorId: alice.id, startedAt: at(100), provider: 'openai', model: 'gpt-5', client: 'Codex' },
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  const json = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const result = await runCli(args, { ...env, ...extraEnv });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as unknown;
  };

  it('lists interceptions as the API does, filters and pages with the reference flags', async () => {
    const api = await getJson<{ results: unknown[] }>(server, '/api/v2/aibridge/interceptions?limit=100');
    const all = (await json(['interceptions', 'list'])) as Array<{ id: string }>;
    expect(all).toEqual(api.body.results);
    const openai = (await json([
      'interceptions',
      'list',
      '--provider',
      'openai',
      '--client',
      'Codex',
      '--initiator',
      'alice',
    ])) as unknown[];
    expect(openai).toHaveLength(1);
    const window = (await json([
      'interceptions',
      'list',
      '--started-after',
      '2026-03-01T00:00:01Z',
      '--started-before',
      '2026-03-01T00:00:04+00:00',
      '--limit',
      '2',
      '--after-id',
      all[2]?.id as string,
    ])) as Array<{ started_at: string }>;
    expect(window.map((r) => r.started_at)).toEqual(['2026-03-01T00:00:03Z', '2026-03-01T00:00:02Z']);
  });

  it('lists sessions and shows one with its threads', async () => {
    const sessions = (await json(['sessions', 'list', '--model', 'claude-sonnet-4'])) as Array<{
      id: string;
      threads: number;
    }>;
    expect(sessions.map((s) => [s.id, s.threads])).toEqual([['cli-sid', 3]]);
    const shown = (await json(['sessions', 'show', 'cli-sid', '--limit', '2', '--url', server.url], {
      AIBRIDGE_URL: 'http://127.0.0.1:9',
    })) as {
      threads: Array<{ id: string }>;
    };
    expect(shown.threads.map((t) => t.id)).toEqual(roots.slice(0, 2));
  });

  it.each([
    [['interceptions', 'list', '--limit', '0'], 'limit value must be between 1 and 1000'],
    [['interceptions', 'list', '--limit', '1001'], 'limit value must be between 1 and 1000'],
    [
      ['interceptions', 'list', '--started-after', 'last week'],
      'parse started after filter value "last week": parsing time "last week" as "2006-01-02T15:04:05Z07:00": cannot parse "last week" as "2006"',
    ],
    [
      ['interceptions', 'list', '--after-id', 'abc'],
      'parse after_id filter value "abc": invalid UUID length: 3',
    ],
    [['sessions', 'show', 'x', '--limit', '500'], 'limit value must be between 1 and 200'],
  ])('refuses %j before any request', async (args, message) => {
    const result = await runCli(args, env);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `aibridge: ${message}\n` });
  });

  it('reports server refusals and missing tokens in one line', async () => {
    const missing = await runCli(['sessions', 'show', 'no-such'], env);
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'aibridge: GET /api/v2/aibridge/sessions/no-such: 404 Session not found.\n',
    });
    const bad = await runCli(['sessions', 'list', '--initiator', 'nobody'], env);
    expect(bad.stderr).toBe(
      'aibridge: GET /api/v2/aibridge/sessions: 400 Invalid session search query. initiator: Query param "initiator" has invalid value: user "nobody" either does not exist, or you are unauthorized to view them\n',
    );
    const noToken = await runCli(['interceptions', 'list'], { AIBRIDGE_URL: server.url });
    expect(noToken).toEqual({
      code: 2,
      stdout: '',
      stderr: 'aibridge: no API token: pass --token or set AIBRIDGE_TOKEN\n',
    });
  });
});
