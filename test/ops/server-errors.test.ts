import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { loadConfig } from '../../src/config.js';
import { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/log.js';
import { SERVER_ERROR_CAUSES } from '../../src/ops/server-errors.js';
import { startServer } from '../../src/server.js';
import { freshDatabase, postgresUnavailable } from '../databases.js';
import { databaseProxy } from '../db-proxy.js';
import { FakeUpstream, gate, reply, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides } from '../gateway.js';
import { startTestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const MESSAGES = '/anthropic/v1/messages';
const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const body = (stream: boolean) => ({
  model: 'claude-sonnet-4-0',
  max_tokens: 64,
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});

/** `aibridge_http_responses_5xx_total` by cause, from a server's /metrics. */
async function fiveHundreds(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^aibridge_http_responses_5xx_total\{cause="([a-z_]+)"\} (\d+)$/gm)) {
    counts[match[1] as string] = Number(match[2]);
  }
  return counts;
}

const zero = Object.fromEntries(SERVER_ERROR_CAUSES.map((cause) => [cause, 0]));

describe('aibridge_http_responses_5xx_total{cause}', () => {
  it('counts relayed provider 5xx, capacity refusals and unreachable or timed-out providers, each once, and no 4xx', async () => {
    const server = await startTestServer('pglite', gatewayOverrides(upstream, { maxConcurrency: 1 }));
    try {
      expect(await fiveHundreds(server.url)).toEqual(zero);
      upstream.next(
        reply(500, '{"type":"error","error":{"type":"api_error","message":"boom"}}'),
        reply(529, '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}'),
      );
      expect((await callGateway(server, MESSAGES, { json: body(false) })).status).toBe(500);
      expect((await callGateway(server, MESSAGES, { json: body(false) })).status).toBe(529);
      // Refusals below 500 are not counted.
      expect((await callGateway(server, MESSAGES, { json: body(false), token: null })).status).toBe(401);
      expect((await callGateway(server, '/anthropic/v1/nothing-here', { json: {} })).status).toBe(404);

      // One stream holds the only slot: the next call is refused at capacity.
      const held = gate();
      upstream.next(stream(SIMPLE_STREAM, { pauseAfter: 1, resume: held.opened }));
      const first = await callGateway(server, MESSAGES, { json: body(true) });
      expect(first.status).toBe(200);
      const refused = await callGateway(server, MESSAGES, { json: body(true) });
      expect(refused.status).toBe(503);
      await refused.text();
      held.open();
      expect(await first.text()).toBe(SIMPLE_STREAM);

      expect(await fiveHundreds(server.url)).toEqual({ ...zero, upstream_error: 2, concurrency_limit: 1 });
    } finally {
      await server.close();
    }
  });

  it('tells an unreachable provider (502) from one that timed out before its first byte (502)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const server = await startTestServer(
      'pglite',
      gatewayOverrides(upstream, {
        anthropic: { baseUrl: `http://127.0.0.1:${port}/`, key: 'sk' },
        upstreamTimeouts: { connectMs: 10_000, firstByteMs: 300, idleMs: 600_000 },
      }),
    );
    try {
      expect((await callGateway(server, MESSAGES, { json: body(false) })).status).toBe(502);
      // The OpenAI instance points at the fake upstream, which never answers this one.
      upstream.next(() => {});
      const silent = await callGateway(server, '/openai/v1/chat/completions', {
        json: { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(silent.status).toBe(502);
      expect(await fiveHundreds(server.url)).toEqual({
        ...zero,
        upstream_unreachable: 1,
        upstream_timeout: 1,
      });
      // The timeout is counted by kind too; a refused connection is no timeout.
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('aibridge_upstream_timeouts_total{provider="openai",kind="first_byte"} 1');
      expect(metrics).not.toContain('aibridge_upstream_timeouts_total{provider="anthropic"');
    } finally {
      await server.close();
      upstream.reset();
    }
  });

  it.skipIf(postgresUnavailable !== undefined)(
    'counts /readyz, the API and the refused gateway calls while the database is gone [postgres]',
    async () => {
      const fresh = await freshDatabase('postgres');
      const proxy = await databaseProxy();
      const token = generateToken().token;
      const db = await Database.open({ url: proxy.url, schema: fresh.schema, poolSize: 2 });
      const running = await startServer(
        {
          ...loadConfig({}, {}),
          ...gatewayOverrides(upstream),
          http: { host: '127.0.0.1', port: 0 },
          bootstrapToken: token,
          dataDir: join(tmpdir(), `aibridge-5xx-${token.slice(0, 10)}`),
          logLevel: 'silent',
          outage: { mode: 'refuse', spoolMaxBytes: 1 },
        },
        { db, log: createLogger('silent'), recorder: { closeTimeoutMs: 200 } },
      );
      try {
        const me = () =>
          fetch(`${running.url}/api/v2/users/me`, { headers: { 'Coder-Session-Token': token } });
        expect((await me()).status).toBe(200);
        proxy.cut();
        expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
        expect((await me()).status).toBe(503);
        const gateway = await fetch(`${running.url}/api/v2/aibridge${MESSAGES}`, {
          method: 'POST',
          headers: { 'x-api-key': token, 'content-type': 'application/json' },
          body: JSON.stringify(body(false)),
        });
        expect(gateway.status).toBe(503);
        expect(upstream.received).toHaveLength(0);
        expect(await fiveHundreds(running.url)).toMatchObject({
          database_unavailable: 2,
          outage_refuse: 1,
          internal: 0,
        });
      } finally {
        proxy.restore();
        await running.close();
        await proxy.close();
        await fresh.dispose();
      }
    },
  );
});
