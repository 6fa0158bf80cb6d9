import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CODEX_BIN, CODEX_STREAM, runCodex, scratchHome } from '../clients/real-cli.js';
import { FakeUpstream, reply, stream } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';
import { startTestServer } from '../server.js';

/**
 * The real Codex CLI against the gateway over WebSocket: runs when AIBRIDGE_CODEX_BIN names
 * its `codex` (`.ci/run` installs it; see test/clients/real-cli.ts).
 */
describe.skipIf(!CODEX_BIN)('the real Codex CLI over WebSocket', () => {
  const home = scratchHome('codex');
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
      const { output } = await runCodex(
        home,
        { baseUrl: `${server.url}/api/v2/aibridge/openai/v1`, envKey: 'AIBRIDGE_TOKEN', websockets: true },
        { AIBRIDGE_TOKEN: server.ownerToken },
      );
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
