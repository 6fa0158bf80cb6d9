import { describe, expect, it } from 'vitest';
import { type Responder, reply, stream } from '../fake-upstream.js';
import {
  CHAT_ANSWER,
  CHAT_STREAM,
  CHAT_STREAM_SEEN,
  callGateway,
  gatewayOverrides,
  interceptionId,
  useFakeUpstream,
  waitForRecording,
} from '../gateway.js';
import { useTestServer } from '../server.js';

const upstream = await useFakeUpstream();
const server = useTestServer('pglite', gatewayOverrides(upstream));

const KEY_A = 'sk-pool-aaaaaaaaaaaaaaaaaaaaaaaaaaaa-A001';
const KEY_B = 'sk-pool-bbbbbbbbbbbbbbbbbbbbbbbbbbbb-B002';
const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const rateLimited =
  (retryAfter: string): Responder =>
  (_req, res) => {
    const body = '{"error":{"message":"slow down","type":"requests"}}';
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter });
    res.end(body);
  };

async function pool(name: string, keys = [KEY_A, KEY_B]): Promise<string> {
  const res = await server().request('/api/v2/aibridge/providers', {
    method: 'POST',
    json: { name, type: 'openai-compatible', base_url: `${upstream.url}/v1`, keys },
  });
  expect(res.status).toBe(201);
  return `/${name}/v1/chat/completions`;
}

const keysUsed = () => upstream.received.map((r) => String(r.headers.authorization).slice(-4));

describe('key pools', () => {
  it('retries a 429 on the next key, blocking and streaming, and records the key and attempts', async () => {
    const path = await pool('failover');
    upstream.next(rateLimited('0'), reply(200, CHAT_ANSWER));
    const blocking = await callGateway(server(), path, { json: chatBody });
    expect(blocking.status).toBe(200);
    expect(await blocking.text()).toBe(CHAT_ANSWER);
    expect(keysUsed()).toEqual(['A001', 'B002']);
    const recorded = await waitForRecording(server().running.db, interceptionId(blocking));
    expect(recorded.interception.metadata).toMatchObject({ attempts: '2', key_hint: 'sk-…B002' });

    upstream.reset();
    upstream.next(reply(503, '{"error":{"message":"busy"}}'), stream(CHAT_STREAM));
    const streamed = await callGateway(server(), path, { json: { ...chatBody, stream: true } });
    expect(await streamed.text()).toBe(CHAT_STREAM_SEEN);
    expect(upstream.received).toHaveLength(2);
    const tokens = (await waitForRecording(server().running.db, interceptionId(streamed))).tokens;
    expect(tokens.map((t) => Number(t.output_tokens))).toEqual([2]);
  });

  it("honours Retry-After as that key's cooldown: the other key serves meanwhile", async () => {
    const path = await pool('cooldown');
    upstream.next(rateLimited('120'));
    upstream.always(reply(200, CHAT_ANSWER));
    for (let i = 0; i < 4; i++)
      expect((await callGateway(server(), path, { json: chatBody })).status).toBe(200);
    expect(keysUsed()).toEqual(['A001', 'B002', 'B002', 'B002', 'B002']);
  });

  it('takes a refused key (401) out of rotation, with a metric and no key in any body', async () => {
    const path = await pool('revoked');
    upstream.next(reply(401, '{"error":{"message":"bad key","code":"invalid_api_key"}}'));
    upstream.always(reply(200, CHAT_ANSWER));
    for (let i = 0; i < 3; i++)
      expect((await callGateway(server(), path, { json: chatBody })).status).toBe(200);
    expect(keysUsed()).toEqual(['A001', 'B002', 'B002', 'B002']);
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    expect(metrics).toContain(
      'aibridge_provider_keys_disabled_total{provider="revoked",key_hint="sk-…A001"} 1',
    );
    expect(metrics).toContain('aibridge_provider_key_failovers_total{provider="revoked",reason="401"} 1');
    for (const key of [KEY_A, KEY_B]) expect(metrics).not.toContain(key);
    const listed = await (await server().request('/api/v2/aibridge/providers/revoked')).text();
    for (const key of [KEY_A, KEY_B]) expect(listed).not.toContain(key);
  });

  it('never retries once bytes reached the client', async () => {
    const path = await pool('no-retry');
    upstream.next(stream(CHAT_STREAM, { destroyAfter: 1 }));
    upstream.always(reply(200, CHAT_ANSWER));
    const res = await callGateway(server(), path, { json: { ...chatBody, stream: true } });
    await expect(res.text()).rejects.toThrow();
    expect(upstream.received).toHaveLength(1);
  });

  it("relays the last key's error as the provider sent it", async () => {
    const path = await pool('all-limited');
    upstream.next(rateLimited('0'), rateLimited('7'));
    const res = await callGateway(server(), path, { json: chatBody });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.text()).toBe('{"error":{"message":"slow down","type":"requests"}}');
    expect(upstream.received).toHaveLength(2);
  });
});

describe('circuit breaker', () => {
  it('opens after the failure threshold: 503 in the provider shape with Retry-After, nothing sent upstream, metrics', async () => {
    const res = await server().request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: {
        name: 'fragile',
        type: 'anthropic',
        base_url: `${upstream.url}/`,
        keys: [KEY_A],
        settings: { circuit_breaker: { enabled: true, failure_threshold: 2, timeout_ms: 60_000 } },
      },
    });
    expect(res.status).toBe(201);
    const body = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const overloaded = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    upstream.next(reply(529, overloaded), reply(529, overloaded));
    for (let i = 0; i < 2; i++) {
      const failed = await callGateway(server(), '/fragile/v1/messages', { json: body });
      expect(failed.status).toBe(529);
      expect(await failed.text()).toBe(overloaded);
    }
    const refused = await callGateway(server(), '/fragile/v1/messages', { json: body });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'circuit breaker is open' },
    });
    expect(upstream.received).toHaveLength(2);
    // Another model of the same instance has its own breaker.
    upstream.next(
      reply(200, '{"id":"msg_1","type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}}'),
    );
    const other = await callGateway(server(), '/fragile/v1/messages', {
      json: { ...body, model: 'claude-haiku-4-5' },
    });
    expect(other.status).toBe(200);
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    const labels = '{provider="fragile",endpoint="/v1/messages",model="claude-sonnet-4-5"}';
    expect(metrics).toContain(`aibridge_circuit_breaker_state${labels} 1`);
    expect(metrics).toContain(`aibridge_circuit_breaker_trips_total${labels} 1`);
    expect(metrics).toContain(`aibridge_circuit_breaker_rejects_total${labels} 1`);
    expect(metrics).toContain(
      'aibridge_circuit_breaker_state{provider="fragile",endpoint="/v1/messages",model="claude-haiku-4-5"} 0',
    );
  });
});

describe('upstream timeouts', () => {
  it('ends a stream that went silent past idle_timeout_ms cleanly, records why and counts the timeout', async () => {
    const res = await server().request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: {
        name: 'sleepy',
        type: 'openai-compatible',
        base_url: `${upstream.url}/v1`,
        keys: [KEY_A],
        settings: { idle_timeout_ms: 300 },
      },
    });
    expect(res.status).toBe(201);
    // The fake goes quiet for far longer than the idle timeout after its first event.
    upstream.next(stream(CHAT_STREAM, { delayMs: 5000 }));
    const streamed = await callGateway(server(), '/sleepy/v1/chat/completions', {
      json: { ...chatBody, stream: true },
    });
    const text = await streamed.text();
    expect(text).toBe(`${CHAT_STREAM.split('\n\n')[0]}\n\n`);
    const recorded = await waitForRecording(server().running.db, interceptionId(streamed));
    expect(recorded.interception.metadata).toMatchObject({ end_reason: 'idle_timeout' });
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    expect(metrics).toContain('aibridge_upstream_timeouts_total{provider="sleepy",kind="idle"} 1');
  });
});
