import { expect, it } from 'vitest';
import { postgresUnavailable } from '../databases.js';
import { reply, stream } from '../fake-upstream.js';
import {
  CHAT_ANSWER,
  CHAT_STREAM,
  CHAT_STREAM_SEEN,
  callGateway,
  gatewayOverrides,
  interceptionId,
  OPENAI_KEY,
  useFakeUpstream,
  waitForRecording,
} from '../gateway.js';
import { describeEachServer, startTestServer } from '../server.js';

const upstream = await useFakeUpstream();

const KEY_A = 'sk-or-v1-aaaaaaaaaaaaaaaaaaaaaaaa1111';
const KEY_B = 'sk-or-v1-bbbbbbbbbbbbbbbbbbbbbbbb2222';
const chatBody = { model: 'meta/llama-3', messages: [{ role: 'user', content: 'hi' }] };

describeEachServer(
  'provider instances API',
  (server) => {
    it('creates an instance that serves its own route at once, blocking and streaming', async () => {
      const created = await server().request('/api/v2/aibridge/providers', {
        method: 'POST',
        json: {
          name: 'local-llm',
          type: 'openai-compatible',
          base_url: `${upstream.url}/vllm/v1`,
          keys: [KEY_A],
        },
      });
      expect(created.status).toBe(201);
      const text = await created.text();
      expect(text).not.toContain(KEY_A);
      expect(JSON.parse(text)).toMatchObject({
        name: 'local-llm',
        keys: [{ hint: 'sk-…1111' }],
        byok: 'central',
      });

      upstream.next(reply(200, CHAT_ANSWER));
      const blocking = await callGateway(server(), '/local-llm/v1/chat/completions', { json: chatBody });
      expect(blocking.status).toBe(200);
      expect(await blocking.text()).toBe(CHAT_ANSWER);
      expect(upstream.last.url).toBe('/vllm/v1/chat/completions');
      expect(upstream.last.headers.authorization).toBe(`Bearer ${KEY_A}`);
      const recorded = await waitForRecording(server().running.db, interceptionId(blocking));
      expect(recorded.interception.provider).toBe('local-llm');
      expect(recorded.interception.metadata).toMatchObject({
        provider_type: 'openai-compatible',
        key_hint: 'sk-…1111',
        attempts: '1',
        credential_kind: 'central',
      });

      upstream.next(stream(CHAT_STREAM));
      const streamed = await callGateway(server(), '/local-llm/v1/chat/completions', {
        json: { ...chatBody, stream: true },
      });
      expect(await streamed.text()).toBe(CHAT_STREAM_SEEN);
      const tokens = (await waitForRecording(server().running.db, interceptionId(streamed))).tokens;
      expect(tokens.map((t) => Number(t.output_tokens))).toEqual([2]);
    });

    it('lists with hints only, changes keys and policy, and deletes', async () => {
      await server().request('/api/v2/aibridge/providers', {
        method: 'POST',
        json: {
          name: 'router',
          type: 'openai-compatible',
          base_url: `${upstream.url}/api/v1`,
          keys: [KEY_A],
        },
      });
      const patched = await server().request('/api/v2/aibridge/providers/router', {
        method: 'PATCH',
        json: { keys: [KEY_A, KEY_B], byok: 'byok-allowed', headers: { 'X-Title': 'aibridge' } },
      });
      expect(patched.status).toBe(200);
      expect(await patched.json()).toMatchObject({
        byok: 'byok-allowed',
        keys: [{ hint: 'sk-…1111' }, { hint: 'sk-…2222' }],
      });
      const list = await server().request('/api/v2/aibridge/providers');
      const listed = await list.text();
      for (const secret of [KEY_A, KEY_B, OPENAI_KEY]) expect(listed).not.toContain(secret);
      const names = (JSON.parse(listed) as { name: string; env_managed: boolean }[]).map((p) => [
        p.name,
        p.env_managed,
      ]);
      expect(names).toEqual(
        expect.arrayContaining([
          ['anthropic', true],
          ['openai', true],
          ['router', false],
        ]),
      );
      expect((await server().request('/api/v2/aibridge/providers/router', { method: 'DELETE' })).status).toBe(
        204,
      );
      const gone = await callGateway(server(), '/router/v1/chat/completions', { json: chatBody });
      expect(gone.status).toBe(404);
      expect((await server().request('/api/v2/aibridge/providers/router')).status).toBe(404);
    });

    it('refuses bad names, duplicates and non-owners', async () => {
      const post = (json: unknown, token?: string) =>
        server().request('/api/v2/aibridge/providers', { method: 'POST', json, ...(token && { token }) });
      const base = { type: 'openai', base_url: upstream.url, keys: [] };
      expect((await post({ ...base, name: 'Bad_Name' })).status).toBe(400);
      expect((await post({ ...base, name: 'sessions' })).status).toBe(400);
      expect((await post({ ...base, name: 'openai' })).status).toBe(409);
      expect((await post({ ...base, name: 'x', base_url: 'ftp://x' })).status).toBe(400);
      const member = await server().createUser('provider-member');
      expect((await post({ ...base, name: 'mine' }, member.token)).status).toBe(403);
      expect((await server().request('/api/v2/aibridge/providers', { token: member.token })).status).toBe(
        403,
      );
    });
  },
  gatewayOverrides(upstream),
);

it.skipIf(postgresUnavailable !== undefined)(
  'a provider added on one replica serves traffic on another within 5 s',
  async () => {
    const a = await startTestServer('postgres', gatewayOverrides(upstream));
    const b = await startTestServer('postgres', gatewayOverrides(upstream), { replicaOf: a });
    try {
      // b has loaded its instances; the new one must reach it by NOTIFY (or the poll), not a restart.
      const created = await a.request('/api/v2/aibridge/providers', {
        method: 'POST',
        json: { name: 'late', type: 'openai-compatible', base_url: `${upstream.url}/v1`, keys: [KEY_B] },
      });
      expect(created.status).toBe(201);
      const deadline = Date.now() + 5000;
      let status = 0;
      while (Date.now() < deadline) {
        upstream.next(reply(200, CHAT_ANSWER));
        status = (await callGateway(b, '/late/v1/chat/completions', { json: chatBody })).status;
        if (status === 200) break;
        upstream.reset();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(200);
      expect(upstream.last.headers.authorization).toBe(`Bearer ${KEY_B}`);
    } finally {
      await b.close();
      await a.close();
    }
  },
);
