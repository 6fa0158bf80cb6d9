import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CODEX_BIN, CODEX_STREAM, runCodex, runCodexOverSocket, scratchHome } from '../clients/real-cli.js';
import { FakeSocketUpstream } from '../fake-socket-upstream.js';
import { FakeUpstream, reply, splitEvents, stream } from '../fake-upstream.js';
import { gatewayOverrides, OPENAI_KEY } from '../gateway.js';
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
      const { output } = await runCodexOverSocket(home, server, server.ownerToken);
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

  it('runs a turn relayed to the provider’s own WebSocket (settings.websockets), nothing over HTTP', async () => {
    const upstream = await FakeUpstream.start();
    const sockets = await FakeSocketUpstream.start();
    const events = splitEvents(CODEX_STREAM).map((event) => event.split('data: ')[1]?.trim() as string);
    sockets.respond = (_message, connection) => {
      for (const event of events) connection.ws.send(event);
    };
    const server = await startTestServer('pglite', gatewayOverrides(upstream));
    try {
      const created = await server.request('/api/v2/aibridge/providers', {
        method: 'POST',
        json: {
          name: 'openai-ws',
          type: 'openai',
          base_url: `${sockets.url}/v1`,
          keys: [OPENAI_KEY],
          settings: { websockets: true },
        },
      });
      expect(created.status).toBe(201);
      const { output } = await runCodex(
        home,
        { baseUrl: `${server.url}/api/v2/aibridge/openai-ws/v1`, envKey: 'AIBRIDGE_TOKEN', websockets: true },
        { AIBRIDGE_TOKEN: server.ownerToken },
      );
      expect(output).toContain('hello from the fake');
      expect(output).not.toMatch(/ERROR|failed to connect to Responses WebSocket/);
      expect(upstream.received).toEqual([]);
      const turns = sockets.messages.filter((m) => JSON.parse(m).type === 'response.create');
      expect(turns.length).toBeGreaterThan(0);
      expect(sockets.connections.every((c) => c.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
      const rows = await server.running.db.kysely.selectFrom('aibridge_interceptions').selectAll().execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.client === 'Codex' && r.provider === 'openai-ws')).toBe(true);
    } finally {
      await server.close();
      await sockets.close();
      await upstream.close();
    }
  }, 120_000);
});
