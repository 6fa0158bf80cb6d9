import { request as httpRequest } from 'node:http';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeUpstream, gate, reply } from '../fake-upstream.js';
import { captureHeaders, loadClientCapture } from '../fixtures.js';
import {
  ANTHROPIC_KEY,
  callGateway,
  gatewayOverrides,
  interceptionId,
  OPENAI_KEY,
  waitForRecording,
} from '../gateway.js';
import { describeEachServer, startTestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const CHAT = '/openai/v1/chat/completions';
const MESSAGES = '/anthropic/v1/messages';
const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const chatAnswer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1 },
});
const messagesAnswer = JSON.stringify({
  id: 'msg_1',
  type: 'message',
  content: [{ type: 'text', text: 'hello' }],
  usage: { input_tokens: 3, output_tokens: 1 },
});

describeEachServer(
  'gateway requests',
  (server) => {
    beforeEach(() => upstream.reset());

    it('forwards the client headers and body bytes, with the provider key instead of the aibridge token', async () => {
      upstream.next(reply(200, messagesAnswer));
      const capture = loadClientCapture('claude-code-print-bearer-prefix');
      const headers = captureHeaders(capture);
      const body = `{ "model":"claude-sonnet-4-5",\n "max_tokens": 5, "messages":[{"role":"user","content":"hi ✓"}], "x-unknown": [1,2] }`;
      const res = await callGateway(server(), `${MESSAGES}?beta=true`, {
        body,
        headers: {
          'content-type': 'application/json',
          'anthropic-beta': headers['anthropic-beta'] as string,
          'anthropic-version': '2023-06-01',
          'user-agent': headers['user-agent'] as string,
          'x-claude-code-session-id': headers['x-claude-code-session-id'] as string,
          'x-probe': 'one',
          'accept-encoding': 'gzip',
        },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(messagesAnswer);
      const got = upstream.last;
      expect(got.url).toBe('/v1/messages?beta=true');
      expect(got.body.toString('utf8')).toBe(body);
      expect(got.headers['x-api-key']).toBe(ANTHROPIC_KEY);
      expect(got.headers.authorization).toBeUndefined();
      expect(got.headers['anthropic-beta']).toBe(headers['anthropic-beta']);
      expect(got.headers['x-probe']).toBe('one');
      expect(got.headers['accept-encoding']).toBeUndefined();
      expect(JSON.stringify(got.rawHeaders)).not.toContain(server().ownerToken);
      const { interception } = await waitForRecording(server().running.db, interceptionId(res));
      expect(interception.client).toBe('Claude Code');
      expect(interception.client_session_id).toBe(headers['x-claude-code-session-id']);
      expect(interception.metadata).toEqual({
        Username: 'admin',
        request_user_agent: headers['user-agent'],
        provider_type: 'anthropic',
        credential_kind: 'central',
        key_hint: 'sk-…-key',
        attempts: '1',
      });
    });

    it('relays and records each large body as its own when they follow one another', async () => {
      // Large bodies reuse the memory of the one before: each must still go upstream byte for
      // byte and be recorded with its own prompt, even when the prompt is written after the
      // next request has arrived.
      const history = (n: number) =>
        Array.from({ length: 40 }, (_, i) => [
          { role: 'user', content: `question ${n}.${i} ${'x'.repeat(10_000)}` },
          { role: 'assistant', content: `answer ${n}.${i} "quoted" ${'y'.repeat(5_000)}` },
        ]).flat();
      const bodies = [1, 2, 3].map((n) =>
        JSON.stringify({
          model: 'claude-sonnet-4-5',
          max_tokens: 5,
          messages: [...history(n), { role: 'user', content: `the ask of request ${n} ✓` }],
        }),
      );
      const ids: string[] = [];
      for (const [i, body] of bodies.entries()) {
        upstream.next(reply(200, messagesAnswer.replace('msg_1', `msg_big_${i}`)));
        const res = await callGateway(server(), MESSAGES, {
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(200);
        await res.text();
        expect(upstream.last.body.toString('utf8')).toBe(body);
        ids.push(interceptionId(res));
      }
      for (const [i, id] of ids.entries()) {
        const recorded = await waitForRecording(server().running.db, id);
        expect(recorded.prompts.map((p) => p.prompt)).toEqual([`the ask of request ${i + 1} ✓`]);
      }
    });

    it('accepts the token as X-Api-Key and sends OpenAI the key as a bearer token', async () => {
      upstream.next(reply(200, chatAnswer));
      const res = await callGateway(server(), CHAT, { json: chatBody, asApiKey: true });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-aibridge-overhead-ms')).toMatch(/^\d+\.\d{3}$/);
      expect(upstream.last.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(upstream.last.headers['x-api-key']).toBeUndefined();
    });

    it.each([
      ['no token', null, 'needs your aibridge API token'],
      ['a malformed token', 'sk-not-ours', 'not an aibridge token'],
      ['an unknown token', 'abcdefghij-abcdefghijabcdefghijab', 'invalid or has been revoked'],
    ])(
      'answers 401 in the provider shape for %s, without contacting the provider',
      async (_label, token, message) => {
        const openai = await callGateway(server(), CHAT, { json: chatBody, token });
        expect(openai.status).toBe(401);
        const openaiBody = (await openai.json()) as { error: { message: string; code: string } };
        expect(openaiBody.error.message).toContain(message);
        expect(openaiBody.error.code).toBe('invalid_api_key');
        const anthropic = await callGateway(server(), MESSAGES, { json: chatBody, token, asApiKey: true });
        expect(anthropic.status).toBe(401);
        expect(await anthropic.json()).toMatchObject({
          type: 'error',
          error: { type: 'authentication_error' },
        });
        expect(upstream.received).toHaveLength(0);
      },
    );

    it.each([
      ['an empty body', '', 'application/json', 400, 'empty'],
      ['non-JSON', 'model=gpt', 'application/json', 400, 'not valid JSON'],
      ['truncated JSON', '{"model":"gpt-4o","messages":[', 'application/json', 400, 'not valid JSON'],
      ['a JSON array', '[1,2]', 'application/json', 400, 'must be a JSON object'],
      ['no model', '{"messages":[]}', 'application/json', 400, 'needs a \\"model\\"'],
      ['a numeric model', '{"model":4}', 'application/json', 400, 'needs a \\"model\\"'],
      ['a form body', 'a=1', 'application/x-www-form-urlencoded', 415, 'expected a JSON body'],
    ])(
      'refuses %s with a clear %s-class error and sends nothing upstream',
      async (_l, body, type, status, message) => {
        for (const [path, asApiKey] of [
          [CHAT, false],
          [MESSAGES, true],
        ] as const) {
          const res = await callGateway(server(), path, {
            body,
            headers: { 'content-type': type },
            asApiKey,
          });
          expect(res.status).toBe(status);
          expect(await res.text()).toContain(message);
        }
        expect(upstream.received).toHaveLength(0);
      },
    );

    it('answers unknown routes with 404 "route not supported" and bridged routes only to POST', async () => {
      const unknown = await callGateway(server(), '/openai/v1/embeddings', { json: chatBody });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe(
        'route not supported: POST /openai/v1/embeddings',
      );
      const other = await callGateway(server(), '/gemini/v1/models', { method: 'GET' });
      expect(other.status).toBe(404);
      expect(await other.json()).toEqual({ message: 'route not supported: GET /gemini/v1/models' });
      const get = await callGateway(server(), CHAT, { method: 'GET' });
      expect(get.status).toBe(404);
    });

    it('relays passthrough routes without recording them', async () => {
      upstream.next(reply(200, '{"data":[{"id":"gpt-4o"}]}'), reply(200, '{"input_tokens":12}'));
      const models = await callGateway(server(), '/openai/v1/models?limit=2', { method: 'GET' });
      expect(await models.text()).toBe('{"data":[{"id":"gpt-4o"}]}');
      expect(models.headers.get('x-aibridge-interception-id')).toBeNull();
      expect(upstream.received[0]).toMatchObject({ method: 'GET', url: '/v1/models?limit=2' });
      expect(upstream.received[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      const count = await callGateway(server(), '/anthropic/v1/messages/count_tokens', {
        json: chatBody,
        asApiKey: true,
      });
      expect(await count.json()).toEqual({ input_tokens: 12 });
      expect(upstream.received[1]?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
      expect(upstream.received[1]?.body.toString()).toBe(JSON.stringify(chatBody));
    });

    it("answers Claude Code's start-up HEAD of the base URL quietly, without a token", async () => {
      for (const path of ['/anthropic', '/anthropic/', '/openai/v1']) {
        const res = await callGateway(server(), path, { method: 'HEAD', token: null });
        expect(res.status).toBe(200);
      }
      expect(upstream.received).toHaveLength(0);
    });

    it("refuses Codex's WebSocket upgrade off the Responses API with 426 so it falls back to HTTP", async () => {
      const capture = loadClientCapture('codex-builtin-openai-websocket');
      const url = new URL(`${server().url}/api/v2/aibridge/openai/v1/chat/completions`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(url, { method: 'GET', headers: captureHeaders(capture) });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', () => reject(new Error('upgraded')));
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(426);
      // An h2c offer (curl --http2 on http://) is just not taken: the request is served.
      upstream.next(reply(200, chatAnswer));
      const h2c = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server().url}/api/v2/aibridge${CHAT}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server().ownerToken}`,
            'content-type': 'application/json',
            connection: 'Upgrade, HTTP2-Settings',
            upgrade: 'h2c',
            'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA',
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify(chatBody));
      });
      expect(h2c).toBe(200);
      expect(upstream.last.headers.upgrade).toBeUndefined();
    });

    it('refuses bodies over the size limit with 413, declared (50 MB) or chunked', async () => {
      const big = Buffer.alloc(50 * 1024 * 1024, 'a');
      const res = await callGateway(server(), CHAT, {
        body: big,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('2 MiB limit');
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(1024 * 1024));
          controller.close();
        },
      });
      const chunked = await fetch(`${server().url}/api/v2/aibridge/anthropic/v1/messages`, {
        method: 'POST',
        body: chunks,
        duplex: 'half',
        headers: { 'x-api-key': server().ownerToken, 'content-type': 'application/json' },
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await chunked.json()).toMatchObject({ error: { type: 'request_too_large' } });
      expect(upstream.received).toHaveLength(0);
    });

    it('serves the gateway metrics on /metrics', async () => {
      upstream.next(reply(200, chatAnswer));
      const res = await callGateway(server(), CHAT, { json: chatBody });
      await waitForRecording(server().running.db, interceptionId(res));
      const metrics = await (await fetch(`${server().url}/metrics`)).text();
      expect(metrics).toMatch(
        /aibridge_interceptions_total\{[^}]*provider="openai"[^}]*status="completed"[^}]*\} \d+/,
      );
      expect(metrics).toMatch(/aibridge_tokens_total\{[^}]*type="input"[^}]*\} \d+/);
      expect(metrics).toMatch(
        /aibridge_passthrough_total\{provider="openai",route="\/models",method="GET"\} 1/,
      );
      expect(metrics).toContain('aibridge_interceptions_inflight');
    });
  },
  gatewayOverrides(upstream, { maxBodyBytes: 2 * 1024 * 1024 }),
);

describe('gateway limits and configuration', () => {
  it('says when a provider has no key, in its own error shape, before contacting anyone', async () => {
    const server = await startTestServer('pglite', {
      ...gatewayOverrides(upstream),
      anthropic: { baseUrl: `${upstream.url}/`, key: undefined },
    });
    try {
      upstream.reset();
      const res = await callGateway(server, MESSAGES, { json: chatBody, asApiKey: true });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        error: { type: 'permission_error', message: expect.stringContaining('AIBRIDGE_ANTHROPIC_KEY') },
      });
      expect(upstream.received).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('limits concurrent requests per replica (503 in the provider shape)', async () => {
    const server = await startTestServer('pglite', gatewayOverrides(upstream, { maxConcurrency: 1 }));
    try {
      upstream.reset();
      // The first request holds its slot until the second has been answered.
      const arrived = gate();
      const release = gate();
      upstream.next(async (req, res) => {
        arrived.open();
        await release.opened;
        await reply(200, chatAnswer)(req, res);
      });
      const slow = callGateway(server, CHAT, { json: chatBody });
      await arrived.opened;
      const busy = await callGateway(server, MESSAGES, { json: chatBody, asApiKey: true });
      release.open();
      expect(busy.status).toBe(503);
      expect(await busy.json()).toMatchObject({
        error: { type: 'overloaded_error', message: expect.stringContaining('at capacity') },
      });
      expect((await slow).status).toBe(200);
      expect(upstream.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('limits requests per token per second (429 with Retry-After)', async () => {
    const server = await startTestServer('pglite', gatewayOverrides(upstream, { rateLimit: 2 }));
    try {
      upstream.reset();
      upstream.always(reply(200, chatAnswer));
      // The server runs in this process: with its clock stopped, every request falls in one window.
      vi.useFakeTimers({ toFake: ['Date'] });
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 5 && !limited; i++) {
        const res = await callGateway(server, CHAT, { json: chatBody });
        statuses.push(res.status);
        if (res.status === 429) limited = res;
        else await res.arrayBuffer();
      }
      if (!limited) throw new Error(`no 429 among statuses ${statuses.join(',')}`);
      expect(statuses).toEqual([200, 200, 429]);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
      const other = await server.createUser('rate-other');
      expect((await callGateway(server, CHAT, { json: chatBody, token: other.token })).status).toBe(200);
    } finally {
      vi.useRealTimers();
      upstream.always(reply(500, '{}'));
      await server.close();
    }
  });
});
