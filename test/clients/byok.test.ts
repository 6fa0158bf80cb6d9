import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messagesStream } from '../budgets/helpers.js';
import { FakeUpstream, type ReceivedRequest, reply, stream } from '../fake-upstream.js';
import { ANTHROPIC_KEY, gatewayOverrides, OPENAI_KEY } from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';
import { CLAUDE_BIN, CODEX_BIN, CODEX_STREAM, runClaude, runCodex, scratchHome } from './real-cli.js';

/**
 * Bring your own key with the real agents: the person's own credential goes in the agent's
 * usual setting, the aibridge token in `X-AIBridge-Token` (Claude Code: ANTHROPIC_CUSTOM_HEADERS;
 * Codex: env_http_headers), exactly as the README tells people to set it up. The fake provider
 * asserts which credential arrived.
 */
describe.skipIf(!CLAUDE_BIN && !CODEX_BIN)('real agents with their own credential', () => {
  let upstream: FakeUpstream;
  let server: TestServer;
  const home = scratchHome('byok');
  const PERSONAL_ANTHROPIC = 'sk-ant-api03-personal-key-0000000000000000abcd';
  const SUBSCRIPTION = 'sk-ant-oat01-personal-subscription-00000000wxyz';
  const PERSONAL_OPENAI = 'sk-proj-personal-openai-key-00000000000000lmno';

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    server = await startTestServer('pglite', gatewayOverrides(upstream));
    for (const [name, type, base, key] of [
      ['claude-own', 'anthropic', '/', ANTHROPIC_KEY],
      ['openai-own', 'openai', '/v1', OPENAI_KEY],
    ] as const) {
      const res = await server.request('/api/v2/aibridge/providers', {
        method: 'POST',
        json: { name, type, base_url: `${upstream.url}${base}`, keys: [key], byok: 'byok-allowed' },
      });
      expect(res.status).toBe(201);
    }
  });
  beforeEach(() => {
    upstream.reset();
    upstream.always((req, res) =>
      req.url.startsWith('/v1/messages')
        ? messagesStream()(req, res)
        : req.url.startsWith('/v1/responses')
          ? stream(CODEX_STREAM)(req, res)
          : reply(404, '{"error":{"message":"not here"}}')(req, res),
    );
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** The model calls that reached the provider; none may carry aibridge's token or keys. */
  function modelCalls(path: string): ReceivedRequest[] {
    const calls = upstream.received.filter((r) => r.url.startsWith(path));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const headers = JSON.stringify(call.rawHeaders);
      expect(headers).not.toContain(server.ownerToken);
      expect(headers).not.toContain(ANTHROPIC_KEY);
      expect(headers).not.toContain(OPENAI_KEY);
      expect(call.headers['x-aibridge-token']).toBeUndefined();
    }
    return calls;
  }

  /** The metadata of every interception recorded since the test started. */
  async function recordedCredentials(provider: string) {
    const rows = await server.running.db.kysely
      .selectFrom('aibridge_interceptions')
      .selectAll()
      .where('provider', '=', provider)
      .orderBy('started_at', 'desc')
      .execute();
    return rows.map((r) => r.metadata as Record<string, unknown>);
  }

  it.skipIf(!CLAUDE_BIN)(
    'Claude Code with its own API key (x-api-key) is served and recorded as byok',
    async () => {
      const run = await runClaude(home, `${server.url}/api/v2/aibridge/claude-own`, {
        ANTHROPIC_API_KEY: PERSONAL_ANTHROPIC,
        ANTHROPIC_CUSTOM_HEADERS: `X-AIBridge-Token: ${server.ownerToken}`,
      });
      expect(run.output).toContain('ok');
      expect(run.code).toBe(0);
      const calls = modelCalls('/v1/messages');
      expect(calls.every((c) => c.headers['x-api-key'] === PERSONAL_ANTHROPIC)).toBe(true);
      expect((await recordedCredentials('claude-own'))[0]).toMatchObject({
        credential_kind: 'byok',
        credential_hint: 'sk-…abcd',
      });
    },
    120_000,
  );

  it.skipIf(!CLAUDE_BIN)(
    'Claude Code on a subscription (OAuth bearer) is served and recorded as byok',
    async () => {
      const run = await runClaude(home, `${server.url}/api/v2/aibridge/claude-own`, {
        CLAUDE_CODE_OAUTH_TOKEN: SUBSCRIPTION,
        ANTHROPIC_CUSTOM_HEADERS: `X-AIBridge-Token: ${server.ownerToken}`,
      });
      expect(run.output).toContain('ok');
      expect(run.code).toBe(0);
      const calls = modelCalls('/v1/messages');
      expect(calls.every((c) => c.headers.authorization === `Bearer ${SUBSCRIPTION}`)).toBe(true);
      expect(calls.every((c) => String(c.headers['anthropic-beta']).includes('oauth-'))).toBe(true);
      expect((await recordedCredentials('claude-own'))[0]).toMatchObject({
        credential_kind: 'byok',
        credential_hint: 'sk-…wxyz',
      });
    },
    120_000,
  );

  it.skipIf(!CLAUDE_BIN)(
    'Claude Code with its own key on a central instance stops with the 403',
    async () => {
      const run = await runClaude(home, `${server.url}/api/v2/aibridge/anthropic`, {
        ANTHROPIC_API_KEY: PERSONAL_ANTHROPIC,
        ANTHROPIC_CUSTOM_HEADERS: `X-AIBridge-Token: ${server.ownerToken}`,
      });
      expect(run.code).toBe(1);
      expect(run.output).toMatch(/API Error: 403 aibridge provider "anthropic" uses its own keys only/);
      expect(upstream.received.filter((r) => r.url.startsWith('/v1/messages'))).toEqual([]);
    },
    120_000,
  );

  for (const websockets of [false, true]) {
    it.skipIf(!CODEX_BIN)(
      `Codex with its own key (${websockets ? 'WebSocket' : 'HTTP'}) is served and recorded as byok`,
      async () => {
        const run = await runCodex(
          home,
          {
            baseUrl: `${server.url}/api/v2/aibridge/openai-own/v1`,
            envKey: 'OPENAI_API_KEY',
            websockets,
            envHeaders: { 'X-AIBridge-Token': 'AIBRIDGE_TOKEN' },
          },
          { OPENAI_API_KEY: PERSONAL_OPENAI, AIBRIDGE_TOKEN: server.ownerToken },
        );
        expect(run.output).toContain('hello from the fake');
        expect(run.output).not.toMatch(/ERROR/);
        expect(run.code).toBe(0);
        const calls = modelCalls('/v1/responses');
        expect(calls.every((c) => c.headers.authorization === `Bearer ${PERSONAL_OPENAI}`)).toBe(true);
        expect((await recordedCredentials('openai-own'))[0]).toMatchObject({
          credential_kind: 'byok',
          credential_hint: 'sk-…lmno',
        });
      },
      120_000,
    );
  }
});
