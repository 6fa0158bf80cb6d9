import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeUpstream, reply, stream } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';
import { startTestServer } from '../server.js';

/**
 * The real Codex CLI (`npm install @openai/codex`, ~430 MB with its binary, so not a dependency)
 * against the gateway over WebSocket: runs only when AIBRIDGE_CODEX_BIN names its `codex`.
 */
const CODEX = process.env.AIBRIDGE_CODEX_BIN;
const run = promisify(execFile);

const item = {
  id: 'msg_c1',
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'hello from the fake', annotations: [] }],
};
const CODEX_STREAM = [
  {
    type: 'response.created',
    sequence_number: 0,
    response: { id: 'resp_c1', object: 'response', status: 'in_progress', model: 'gpt-4o-mini', output: [] },
  },
  {
    type: 'response.output_item.added',
    sequence_number: 1,
    output_index: 0,
    item: { ...item, status: 'in_progress', content: [] },
  },
  {
    type: 'response.output_text.delta',
    sequence_number: 2,
    item_id: 'msg_c1',
    output_index: 0,
    content_index: 0,
    delta: 'hello from the fake',
  },
  { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item },
  {
    type: 'response.completed',
    sequence_number: 4,
    response: {
      id: 'resp_c1',
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      output: [item],
      usage: {
        input_tokens: 11,
        output_tokens: 2,
        total_tokens: 13,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    },
  },
]
  .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  .join('');

describe.skipIf(!CODEX)('the real Codex CLI over WebSocket', () => {
  const home = mkdtempSync(join(tmpdir(), 'aibridge-codex-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs a turn with supports_websockets = true, no error line, recorded', async () => {
    const upstream = await FakeUpstream.start();
    upstream.always((req, res) =>
      req.url.startsWith('/v1/responses')
        ? stream(CODEX_STREAM)(req, res)
        : reply(200, '{"object":"list","data":[]}')(req, res),
    );
    const server = await startTestServer('pglite', gatewayOverrides(upstream));
    try {
      writeFileSync(
        join(home, 'config.toml'),
        [
          'model = "gpt-4o-mini"',
          'model_provider = "aibridge"',
          '[model_providers.aibridge]',
          'name = "aibridge"',
          `base_url = "${server.url}/api/v2/aibridge/openai/v1"`,
          'env_key = "AIBRIDGE_TOKEN"',
          'wire_api = "responses"',
          'supports_websockets = true',
        ].join('\n'),
      );
      const codex = run(CODEX as string, ['exec', '--skip-git-repo-check', '--color', 'never', 'say hello'], {
        env: { ...process.env, CODEX_HOME: home, AIBRIDGE_TOKEN: server.ownerToken },
        cwd: home,
        timeout: 100_000,
      });
      // `codex exec` also reads a prompt from stdin until it ends.
      codex.child.stdin?.end();
      const { stdout, stderr } = await codex;
      const output = `${stdout}\n${stderr}`;
      expect(output).toContain('hello from the fake');
      expect(output).not.toMatch(/ERROR|failed to connect to Responses WebSocket/);
      const rows = await server.running.db.kysely.selectFrom('aibridge_interceptions').selectAll().execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.client === 'Codex')).toBe(true);
      // The turn came over the socket: the upgrade's beta header rode along to the HTTP request.
      const turns = upstream.received.filter((r) => r.url.startsWith('/v1/responses'));
      expect(turns.length).toBeGreaterThan(0);
      expect(turns.every((r) => r.method === 'POST')).toBe(true);
      expect(turns.every((r) => r.headers['openai-beta'] === 'responses_websockets=2026-02-06')).toBe(true);
    } finally {
      await server.close();
      await upstream.close();
    }
  }, 120_000);
});
