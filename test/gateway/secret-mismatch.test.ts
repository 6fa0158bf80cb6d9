import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { postgresUnavailable } from '../databases.js';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { callGateway, gatewayOverrides, OPENAI_KEY, TEST_SECRET_KEY } from '../gateway.js';
import { startTestServer } from '../server.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const KEY = 'sk-sealed-cccccccccccccccccccccccc3333';
const OTHER_SECRET = Buffer.alloc(32, 9);
const chatBody = { model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] };
const chatAnswer =
  '{"id":"c","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}';

/** A logger whose lines the test can read. */
function capturedLog() {
  const lines: Array<{ level: number; msg: string; provider?: string }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines, text: () => JSON.stringify(lines) };
}

it.skipIf(postgresUnavailable !== undefined)(
  'a replica with another AIBRIDGE_SECRET_KEY says so loudly: one error line, not ready, a metric and 503s',
  async () => {
    upstream.always(reply(200, chatAnswer));
    const a = await startTestServer('postgres', gatewayOverrides(upstream));
    const created = await a.request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: { name: 'sealed', type: 'openai-compatible', base_url: `${upstream.url}/v1`, keys: [KEY] },
    });
    expect(created.status).toBe(201);
    const captured = capturedLog();
    const b = await startTestServer('postgres', gatewayOverrides(upstream, { secretKey: OTHER_SECRET }), {
      replicaOf: a,
      log: captured.log,
    });
    try {
      // Gateway traffic to the instance: the provider's own error shape, 503, the reason.
      const refused = await callGateway(b, '/sealed/v1/chat/completions', { json: chatBody });
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { message: string } };
      expect(body.error.message).toContain('cannot decrypt the keys of provider "sealed"');
      expect(body.error.message).toContain('AIBRIDGE_SECRET_KEY');

      const ready = await fetch(`${b.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'unavailable',
        providers: { undecryptable: expect.arrayContaining(['sealed', 'openai', 'anthropic']) },
      });
      const metrics = await (await fetch(`${b.url}/metrics`)).text();
      expect(metrics).toContain('aibridge_provider_keys_undecryptable{provider="sealed"} 1');

      // Another change reloads b's instances: still one error line per instance, naming it.
      await a.request('/api/v2/aibridge/providers', {
        method: 'POST',
        json: { name: 'sealed-too', type: 'openai-compatible', base_url: `${upstream.url}/v1`, keys: [KEY] },
      });
      const deadline = Date.now() + 5000;
      while (!JSON.stringify(await (await fetch(`${b.url}/readyz`)).json()).includes('sealed-too')) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const errors = captured.lines.filter((l) => l.level === 50 && l.provider === 'sealed');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.msg).toContain('differs from the one that encrypted them');
      for (const secret of [
        KEY,
        OPENAI_KEY,
        TEST_SECRET_KEY.toString('base64'),
        OTHER_SECRET.toString('base64'),
      ]) {
        expect(captured.text()).not.toContain(secret);
        expect(metrics).not.toContain(secret);
      }

      // b did not re-seal the env-seeded instances with its own secret: a still serves them.
      expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
      const viaA = await callGateway(a, '/openai/v1/chat/completions', {
        json: { ...chatBody, model: 'gpt-4.1' },
      });
      expect(viaA.status).toBe(200);
      expect((await callGateway(a, '/sealed/v1/chat/completions', { json: chatBody })).status).toBe(200);
      expect(upstream.last.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await b.close();
      await a.close();
    }
  },
);
