import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';
import { CLAUDE_BIN, CODEX_BIN, runClaude, runCodex, scratchHome } from './real-cli.js';

/**
 * The real Claude Code and Codex against a budget with no room (issue: they must stop and say
 * so, not retry in a loop). Each run counts how many requests the agent made: every refusal is
 * recorded as an interception, and the fake provider must see none of them.
 */
describe.skipIf(!CLAUDE_BIN && !CODEX_BIN)('real agents against an exhausted budget', () => {
  let upstream: FakeUpstream;
  let server: TestServer;
  const home = scratchHome('budget');
  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    upstream.always(reply(500, '{"error":{"message":"a refused request reached the provider"}}'));
    server = await startTestServer('pglite', gatewayOverrides(upstream));
    // Far less than any request's estimate: every request is refused.
    const res = await server.request('/api/v2/aibridge/budgets', {
      method: 'POST',
      json: { subject: 'default', limit_usd: '0.000001', period: 'day' },
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** The refusals recorded for one user's requests. */
  async function refusalsOf(userId: string) {
    const rows = await server.running.db.kysely
      .selectFrom('aibridge_interceptions')
      .selectAll()
      .where('initiator_id', '=', userId)
      .execute();
    expect(rows.every((r) => (r.metadata as Record<string, unknown>).aibridge_refused === 'budget')).toBe(
      true,
    );
    return rows;
  }

  it.skipIf(!CLAUDE_BIN)(
    'Claude Code prints the budget message after one request and exits 1',
    async () => {
      const user = await server.createUser('cc-spender');
      const run = await runClaude(home, `${server.url}/api/v2/aibridge/anthropic`, {
        ANTHROPIC_API_KEY: user.token,
      });
      expect(run.code).toBe(1);
      expect(run.output).toMatch(
        /API Error: 402 aibridge budget default is exhausted: \$0\.00 spent of \$0\.000001 this day.*resets at/,
      );
      const rows = await refusalsOf(user.id);
      expect(rows.map((r) => r.client)).toEqual(['Claude Code']);
      expect(upstream.received).toEqual([]);
    },
    120_000,
  );

  for (const websockets of [true, false]) {
    it.skipIf(!CODEX_BIN)(
      `Codex (${websockets ? 'WebSocket' : 'HTTP'}) stops with "Quota exceeded" after one request`,
      async () => {
        const user = await server.createUser(`codex-spender-${websockets ? 'ws' : 'http'}`);
        const run = await runCodex(
          home,
          { baseUrl: `${server.url}/api/v2/aibridge/openai/v1`, envKey: 'AIBRIDGE_TOKEN', websockets },
          { AIBRIDGE_TOKEN: user.token },
        );
        expect(run.code).toBe(1);
        // Codex shows its own line for OpenAI's insufficient_quota, not the provider's message.
        expect(run.output).toContain('ERROR: Quota exceeded. Check your plan and billing details.');
        expect(run.output).not.toMatch(/Reconnecting|failed to connect to Responses WebSocket/);
        const rows = await refusalsOf(user.id);
        expect(rows.map((r) => r.client)).toEqual(['Codex']);
        expect(upstream.received).toEqual([]);
      },
      120_000,
    );
  }
});
