import { afterAll, beforeEach, expect, it, vi } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, type TestServer } from '../server.js';
import { BLOCKING, CHAT_STREAM_WITH_USAGE, MESSAGES_STREAM } from './streams.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const MESSAGES = '/anthropic/v1/messages';
const CHAT = '/openai/v1/chat/completions';
const PER_MINUTE = 100;

/** Answers with 150 tokens (input + output), more than a person's 100 per minute. */
const LARGE = {
  messages: BLOCKING.messages.replace('"input_tokens":11', '"input_tokens":148'),
  messagesStream: MESSAGES_STREAM.replace('"input_tokens":11', '"input_tokens":148'),
  chat: BLOCKING.chat.replace('"prompt_tokens":11', '"prompt_tokens":148'),
  chatStream: CHAT_STREAM_WITH_USAGE.replace('"prompt_tokens":11', '"prompt_tokens":148'),
};
const messagesBody = (stream: boolean) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 16,
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});
const chatBody = (stream: boolean) => ({
  model: 'gpt-4o-mini',
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});

const CASES = [
  {
    name: 'Anthropic, blocking',
    path: MESSAGES,
    body: messagesBody(false),
    answer: reply(200, LARGE.messages),
  },
  {
    name: 'Anthropic, streaming',
    path: MESSAGES,
    body: messagesBody(true),
    answer: reply(200, LARGE.messagesStream, 'text/event-stream'),
  },
  { name: 'OpenAI, blocking', path: CHAT, body: chatBody(false), answer: reply(200, LARGE.chat) },
  {
    name: 'OpenAI, streaming',
    path: CHAT,
    body: chatBody(true),
    answer: reply(200, LARGE.chatStream, 'text/event-stream'),
  },
];

/** Sends one request as `token` and waits until its interception has ended (its tokens counted). */
async function answered(server: TestServer, path: string, body: unknown, token: string): Promise<void> {
  const res = await callGateway(server, path, { json: body, token });
  expect(res.status).toBe(200);
  await res.text();
  await waitForRecording(server.running.db, interceptionId(res));
}

describeEachServer(
  'gateway tokens-per-minute and group limits',
  (server) => {
    beforeEach(() => upstream.reset());

    for (const [i, call] of CASES.entries()) {
      it(`refuses a person whose minute's tokens a large answer used (${call.name})`, async () => {
        const person = await server().createUser(`tpm-${i}`);
        upstream.next(call.answer);
        await answered(server(), call.path, call.body, person.token);
        const refused = await callGateway(server(), call.path, { json: call.body, token: person.token });
        expect(refused.status).toBe(429);
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        if (call.path === MESSAGES) {
          expect(await refused.json()).toMatchObject({
            type: 'error',
            error: {
              type: 'rate_limit_error',
              message: expect.stringContaining('AIBRIDGE_USER_TOKENS_PER_MINUTE'),
            },
          });
          expect(refused.headers.get('anthropic-ratelimit-tokens-limit')).toBe(String(PER_MINUTE));
          expect(refused.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('0');
          expect(refused.headers.get('anthropic-ratelimit-tokens-reset')).toMatch(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
          );
        } else {
          expect(await refused.json()).toMatchObject({
            error: { code: 'rate_limit_exceeded', message: expect.stringContaining('tokens per minute') },
          });
          expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe(String(PER_MINUTE));
          expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
          expect(refused.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+m)?[\d.]+m?s$/);
        }
        // Refused before the provider: only the first request went upstream.
        expect(upstream.received).toHaveLength(1);
      });
    }

    it('admits the person again once the window has passed', async () => {
      const person = await server().createUser('tpm-recovers');
      upstream.next(reply(200, LARGE.chat));
      await answered(server(), CHAT, chatBody(false), person.token);
      expect((await callGateway(server(), CHAT, { json: chatBody(false), token: person.token })).status).toBe(
        429,
      );
      // The server runs in this process: moving its clock past the window frees it.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
      try {
        upstream.next(reply(200, BLOCKING.chat));
        const res = await callGateway(server(), CHAT, { json: chatBody(false), token: person.token });
        expect(res.status).toBe(200);
        await res.text();
      } finally {
        vi.useRealTimers();
      }
    });

    it("shares a group's requests among its members, and a null clears the limit", async () => {
      const alice = await server().createUser('pool-alice');
      const bob = await server().createUser('pool-bob');
      await server().request('/api/v2/groups', { method: 'POST', json: { name: 'pool' } });
      for (const user of ['pool-alice', 'pool-bob']) {
        await server().request(`/api/v2/groups/pool/members/${user}`, { method: 'PUT' });
      }
      const set = await server().request('/api/v2/groups/pool', {
        method: 'PATCH',
        json: { requests_per_minute: 3 },
      });
      expect(await set.json()).toMatchObject({
        name: 'pool',
        requests_per_minute: 3,
        tokens_per_minute: null,
      });
      upstream.always(reply(200, BLOCKING.messages));
      const statuses: number[] = [];
      for (const who of [alice, bob, alice, bob]) {
        const res = await callGateway(server(), MESSAGES, { json: messagesBody(false), token: who.token });
        statuses.push(res.status);
        if (res.status === 429) {
          expect((await res.json()) as object).toMatchObject({
            error: { type: 'rate_limit_error', message: expect.stringContaining('group pool') },
          });
          expect(res.headers.get('anthropic-ratelimit-requests-limit')).toBe('3');
        } else await res.text();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const cleared = await server().request('/api/v2/groups/pool', {
        method: 'PATCH',
        json: { requests_per_minute: null },
      });
      expect(await cleared.json()).toMatchObject({ requests_per_minute: null });
      const res = await callGateway(server(), MESSAGES, { json: messagesBody(false), token: bob.token });
      expect(res.status).toBe(200);
      await res.text();
      upstream.always(reply(500, '{}'));
    });
  },
  gatewayOverrides(upstream, { userTokensPerMinute: PER_MINUTE }),
);
