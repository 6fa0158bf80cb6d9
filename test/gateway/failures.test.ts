import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { freshDatabase, postgresUnavailable } from '../databases.js';
import { databaseProxy } from '../db-proxy.js';
import { FakeUpstream, type Responder, reply, splitEvents, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, startTestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const MESSAGES = '/anthropic/v1/messages';
const CHAT = '/openai/v1/chat/completions';
const messagesBody = (stream: boolean) => ({
  model: 'claude-sonnet-4-0',
  max_tokens: 64,
  stream,
  messages: [{ role: 'user', content: 'how many angels' }],
});
const chatBody = (stream: boolean) => ({
  model: 'gpt-4.1',
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});
const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');

/** A responder that reports when the gateway hung up on it. */
function watched(inner: Responder): { responder: Responder; closed: Promise<boolean> } {
  let done: (early: boolean) => void = () => {};
  const closed = new Promise<boolean>((resolve) => (done = resolve));
  return {
    closed,
    responder: async (req, res) => {
      res.on('close', () => done(!res.writableFinished));
      await inner(req, res);
    },
  };
}

describeEachServer(
  'gateway failure modes',
  (server) => {
    beforeEach(() => upstream.reset());

    it('records what it saw and aborts upstream when the client disconnects mid-stream', async () => {
      // The provider holds the rest of its stream after the first text delta until the gateway hangs up.
      const delta = splitEvents(SIMPLE_STREAM).findIndex((e) => e.includes('content_block_delta'));
      const { responder, closed } = watched(stream(SIMPLE_STREAM, { pauseAfter: delta + 1 }));
      upstream.next(responder);
      const abort = new AbortController();
      const res = await callGateway(server(), MESSAGES, { json: messagesBody(true), signal: abort.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let seen = '';
      while (!seen.includes('content_block_delta'))
        seen += Buffer.from((await reader.read()).value ?? []).toString();
      abort.abort();
      expect(await closed).toBe(true);
      const recorded = await waitForRecording(server().running.db, interceptionId(res));
      expect(recorded.tokens.map((t) => [t.input_tokens, t.output_tokens])).toEqual([[18, 1]]);
      expect(recorded.prompts.map((p) => p.prompt)).toEqual(['how many angels']);
    });

    it.each([
      [400, '{"error":{"message":"bad things","type":"invalid_request_error"}}'],
      [429, '{"error":{"message":"slow down","type":"rate_limit_error"}}'],
      [503, 'upstream is sad'],
    ])('relays an upstream %s before the stream starts, streaming or not', async (status, body) => {
      for (const streamed of [true, false]) {
        upstream.next(reply(status, body, body.startsWith('{') ? 'application/json' : 'text/plain'));
        const res = await callGateway(server(), CHAT, { json: chatBody(streamed) });
        expect(res.status).toBe(status);
        expect(await res.text()).toBe(body);
        const recorded = await waitForRecording(server().running.db, interceptionId(res));
        expect(recorded.tokens).toEqual([]);
      }
    });

    it('cuts the client connection when the provider breaks the stream, and still ends the interception', async () => {
      upstream.next(stream(SIMPLE_STREAM, { destroyAfter: 5 }));
      const res = await callGateway(server(), MESSAGES, { json: messagesBody(true) });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      const recorded = await waitForRecording(server().running.db, interceptionId(res));
      expect(recorded.tokens.map((t) => t.input_tokens)).toEqual([18]);
      expect(recorded.thoughts).toHaveLength(1);
    });

    it('relays a malformed stream byte for byte and records nothing it cannot read', async () => {
      const garbage =
        'event: message_start\ndata: {not json\n\ndata: \u0000\u0001 ✓\n\n: comment\nevent: message_stop\n\n';
      upstream.next(stream(garbage));
      const res = await callGateway(server(), MESSAGES, { json: messagesBody(true) });
      expect(await res.text()).toBe(garbage);
      const recorded = await waitForRecording(server().running.db, interceptionId(res));
      expect(recorded.tokens).toEqual([]);
    });

    it('answers 503 in the provider shape, sending nothing upstream, when the interception cannot be recorded', async () => {
      const db = server().running.db;
      await sql`ALTER TABLE aibridge_interceptions RENAME TO aibridge_interceptions_away`.execute(db.kysely);
      try {
        const res = await callGateway(server(), MESSAGES, { json: messagesBody(false), asApiKey: true });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
        expect(upstream.received).toHaveLength(0);
      } finally {
        await sql`ALTER TABLE aibridge_interceptions_away RENAME TO aibridge_interceptions`.execute(
          db.kysely,
        );
      }
      upstream.next(reply(200, '{"id":"msg_ok","type":"message","content":[],"usage":{"input_tokens":1}}'));
      expect((await callGateway(server(), MESSAGES, { json: messagesBody(false) })).status).toBe(200);
    });
  },
  gatewayOverrides(upstream),
);

describe('unreachable upstream', () => {
  it('answers 502 in the provider shape and still records the interception as ended', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const server = await startTestServer('pglite', {
      openai: { baseUrl: `http://127.0.0.1:${port}/v1/`, key: 'sk' },
      anthropic: { baseUrl: `http://127.0.0.1:${port}/`, key: 'sk' },
    });
    try {
      const openai = await callGateway(server, CHAT, { json: chatBody(true) });
      expect(openai.status).toBe(502);
      expect(await openai.json()).toMatchObject({
        error: { type: 'server_error', message: expect.stringContaining('could not reach OpenAI') },
      });
      const recorded = await waitForRecording(server.running.db, interceptionId(openai));
      expect(recorded.interception.ended_at).not.toBeNull();
      const anthropic = await callGateway(server, MESSAGES, { json: messagesBody(false) });
      expect(anthropic.status).toBe(502);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(postgresUnavailable !== undefined)('database unavailable at request time [postgres]', () => {
  it('with AIBRIDGE_OUTAGE_MODE=refuse, refuses with 503 and sends nothing upstream once the database is gone', async () => {
    const fresh = await freshDatabase('postgres');
    const proxy = await databaseProxy();
    const { startServer } = await import('../../src/server.js');
    const { createLogger } = await import('../../src/log.js');
    const { loadConfig } = await import('../../src/config.js');
    const { generateToken } = await import('../../src/auth/token.js');
    const token = generateToken().token;
    const db = await Database.open({ url: proxy.url, schema: fresh.schema, poolSize: 2 });
    const config = {
      ...loadConfig({}, {}),
      ...gatewayOverrides(upstream),
      http: { host: '127.0.0.1', port: 0 },
      bootstrapToken: token,
      // The records it cannot write at shutdown are spooled here, not in ./.aibridge.
      dataDir: join(tmpdir(), `aibridge-failures-${token.slice(0, 10)}`),
      logLevel: 'silent' as const,
      // The default (spool) would serve it from the outage journal: see outage-journal.test.ts.
      outage: { mode: 'refuse' as const, spoolMaxBytes: 1 },
    };
    const running = await startServer(config, {
      db,
      log: createLogger('silent'),
      recorder: { closeTimeoutMs: 200 },
    });
    try {
      upstream.reset();
      upstream.next(reply(200, '{"id":"c","object":"chat.completion","choices":[]}'));
      const call = () =>
        fetch(`${running.url}/api/v2/aibridge${CHAT}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(chatBody(false)),
        });
      expect((await call()).status).toBe(200);
      proxy.cut();
      const refused = await call();
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
        'not sent upstream',
      );
      expect(upstream.received).toHaveLength(1);
    } finally {
      // The database is back before the shutdown: the served call's records are written.
      proxy.restore();
      await running.close();
      await proxy.close();
      await fresh.dispose();
    }
  });
});
