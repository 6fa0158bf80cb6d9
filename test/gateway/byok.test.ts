import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, reply, stream } from '../fake-upstream.js';
import {
  ANTHROPIC_KEY,
  callGateway,
  gatewayOverrides,
  interceptionId,
  OPENAI_KEY,
  waitForRecording,
} from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';

const upstream = await FakeUpstream.start();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('pglite', gatewayOverrides(upstream));
  for (const [name, type, base, byok] of [
    ['claude-own', 'anthropic', '/', 'byok-allowed'],
    ['claude-only', 'anthropic', '/', 'byok-only'],
    ['openai-own', 'openai', '/v1', 'byok-allowed'],
  ]) {
    const res = await server.request('/api/v2/aibridge/providers', {
      method: 'POST',
      json: { name, type, base_url: `${upstream.url}${base}`, keys: [ANTHROPIC_KEY], byok },
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});
beforeEach(() => upstream.reset());

/** A Claude subscription's OAuth token, as Claude Code sends it (Authorization: Bearer). */
const OAUTH = 'sk-ant-oat01-personal-subscription-token-0000wxyz';
const PERSONAL_OPENAI = 'sk-proj-personal-openai-key-000000000000lmno';
const messages = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const messagesAnswer =
  '{"id":"msg_1","type":"message","content":[],"usage":{"input_tokens":3,"output_tokens":1}}';
const messagesStream = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_2","usage":{"input_tokens":5,"output_tokens":1}}}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join('');

const ownCredential = () => ({
  token: null,
  headers: {
    authorization: `Bearer ${OAUTH}`,
    'x-aibridge-token': server.ownerToken,
    'anthropic-beta': 'oauth-2025-04-20',
  },
});

describe('bring your own key', () => {
  it("forwards the person's own credential untouched and records it as byok, blocking and streaming", async () => {
    upstream.next(reply(200, messagesAnswer));
    const blocking = await callGateway(server, '/claude-own/v1/messages', {
      json: messages,
      ...ownCredential(),
    });
    expect(blocking.status).toBe(200);
    const got = upstream.last;
    expect(got.headers.authorization).toBe(`Bearer ${OAUTH}`);
    expect(got.headers['anthropic-beta']).toBe('oauth-2025-04-20');
    expect(got.headers['x-api-key']).toBeUndefined();
    expect(got.headers['x-aibridge-token']).toBeUndefined();
    expect(JSON.stringify(got.rawHeaders)).not.toContain(server.ownerToken);
    expect(JSON.stringify(got.rawHeaders)).not.toContain(ANTHROPIC_KEY);
    const recorded = await waitForRecording(server.running.db, interceptionId(blocking));
    expect(recorded.interception.metadata).toMatchObject({
      credential_kind: 'byok',
      credential_hint: 'sk-…wxyz',
    });
    expect(recorded.interception.metadata).not.toHaveProperty('key_hint');
    expect(JSON.stringify(recorded.interception.metadata)).not.toContain(OAUTH);

    upstream.next(stream(messagesStream));
    const streamed = await callGateway(server, '/claude-own/v1/messages', {
      json: { ...messages, stream: true },
      ...ownCredential(),
    });
    expect(await streamed.text()).toBe(messagesStream);
    expect(upstream.last.headers.authorization).toBe(`Bearer ${OAUTH}`);
    const tokens = (await waitForRecording(server.running.db, interceptionId(streamed))).tokens;
    expect(tokens.length).toBeGreaterThan(0);
  });

  it('byok-allowed still serves central requests with the instance key', async () => {
    upstream.next(reply(200, messagesAnswer));
    const res = await callGateway(server, '/claude-own/v1/messages', { json: messages, asApiKey: true });
    expect(res.status).toBe(200);
    expect(upstream.last.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    const recorded = await waitForRecording(server.running.db, interceptionId(res));
    expect(recorded.interception.metadata).toMatchObject({ credential_kind: 'central' });
  });

  it('central refuses an own credential, byok-only refuses central requests, in the provider shape', async () => {
    const central = await callGateway(server, '/anthropic/v1/messages', {
      json: messages,
      ...ownCredential(),
    });
    expect(central.status).toBe(403);
    expect(await central.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    const only = await callGateway(server, '/claude-only/v1/messages', { json: messages, asApiKey: true });
    expect(only.status).toBe(403);
    const body = (await only.json()) as { error: { message: string } };
    expect(body.error.message).toContain('X-AIBridge-Token');
    upstream.next(reply(200, messagesAnswer));
    const own = await callGateway(server, '/claude-only/v1/messages', { json: messages, ...ownCredential() });
    expect(own.status).toBe(200);
    expect(upstream.received).toHaveLength(1);
  });

  it('still authenticates the aibridge token: a bad X-AIBridge-Token is 401 and nothing goes upstream', async () => {
    const res = await callGateway(server, '/claude-own/v1/messages', {
      json: messages,
      token: null,
      headers: { authorization: `Bearer ${OAUTH}`, 'x-aibridge-token': 'aaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb' },
    });
    expect(res.status).toBe(401);
    expect(upstream.received).toHaveLength(0);
  });

  it("Codex-style: the person's OpenAI key as Bearer, the aibridge token in X-AIBridge-Token", async () => {
    upstream.next(
      reply(
        200,
        '{"id":"resp_1","object":"response","output":[],"usage":{"input_tokens":1,"output_tokens":1}}',
      ),
    );
    const res = await callGateway(server, '/openai-own/v1/responses', {
      token: null,
      headers: { authorization: `Bearer ${PERSONAL_OPENAI}`, 'X-AIBridge-Token': server.ownerToken },
      json: { model: 'gpt-5', input: 'hi' },
    });
    expect(res.status).toBe(200);
    expect(upstream.last.headers.authorization).toBe(`Bearer ${PERSONAL_OPENAI}`);
    expect(JSON.stringify(upstream.last.rawHeaders)).not.toContain(OPENAI_KEY);
  });
});
