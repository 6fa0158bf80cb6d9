import { afterAll, beforeEach, expect, it } from 'vitest';
import { FakeUpstream, gate, reply, splitEvents, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer } from '../server.js';
import { withoutAddedUsage } from './streams.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const MESSAGES_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const CHAT_STREAM = section(loadTxtar('openai/chatcompletions/simple.txtar'), 'streaming');

describeEachServer(
  'relay',
  (server) => {
    beforeEach(() => upstream.reset());

    it.each([64 * 1024, 1024 * 1024])(
      'forwards a %d-byte prompt byte for byte and records it whole',
      async (size) => {
        const prompt = `${'λ'.repeat(size / 2 - 10)} "quoted"\n`;
        const body = `{"model":"claude-sonnet-4-0","max_tokens":5,"messages":[{"role":"user","content":${JSON.stringify(prompt)}}]}`;
        upstream.next(
          reply(200, '{"id":"msg_big","type":"message","content":[],"usage":{"input_tokens":9}}'),
        );
        const res = await callGateway(server(), '/anthropic/v1/messages', {
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(200);
        expect(upstream.last.body.equals(Buffer.from(body))).toBe(true);
        const recorded = await waitForRecording(server().running.db, interceptionId(res));
        expect(recorded.prompts[0]?.prompt).toBe(prompt);

        upstream.next(stream(CHAT_STREAM));
        const chatBody = `{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":${JSON.stringify(prompt)}}]}`;
        const chat = await callGateway(server(), '/openai/v1/chat/completions', {
          body: chatBody,
          headers: { 'content-type': 'application/json' },
        });
        expect(await chat.text()).toBe(withoutAddedUsage(CHAT_STREAM));
        expect(upstream.last.body.toString()).toBe(
          `{"stream_options":{"include_usage":true},${chatBody.slice(1)}`,
        );
      },
    );

    it('relays each event as the provider sends it, not at the end of the stream', async () => {
      // The provider sends its first event, then holds the rest until the client has seen it:
      // a gateway that buffered the stream would never pass the first event on.
      const rest = gate();
      upstream.next(stream(MESSAGES_STREAM, { pauseAfter: 1, resume: rest.opened }));
      const res = await callGateway(server(), '/anthropic/v1/messages', {
        json: {
          model: 'claude-sonnet-4-0',
          max_tokens: 5,
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        },
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const first = splitEvents(MESSAGES_STREAM)[0] ?? '';
      expect(first).toContain('message_start');
      let seen = '';
      while (seen.length < first.length) seen += Buffer.from((await reader.read()).value ?? []).toString();
      expect(seen).toBe(first);
      rest.open();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        seen += Buffer.from(chunk.value).toString();
      expect(seen).toBe(MESSAGES_STREAM);
    });

    it('carries 256 concurrent slow streams to the end, all recorded', async () => {
      upstream.always(stream(CHAT_STREAM, { delayMs: 2 }));
      try {
        // Correctness only: stall-free timing is measured by `npm run bench:gateway`, not here.
        const responses = await Promise.all(
          Array.from({ length: 256 }, () =>
            callGateway(server(), '/openai/v1/chat/completions', {
              json: { model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] },
            }).then(async (res) => ({ id: interceptionId(res), body: await res.text() })),
          ),
        );
        expect(responses.every((r) => r.body === withoutAddedUsage(CHAT_STREAM))).toBe(true);
        // Streams end in any order: wait for each recording, then check one in full.
        const recorded = await Promise.all(responses.map((r) => waitForRecording(server().running.db, r.id)));
        expect(recorded.every((r) => r.interception.ended_at !== null)).toBe(true);
        expect(recorded[255]?.tokens.map((t) => t.output_tokens)).toEqual([238]);
      } finally {
        upstream.always(reply(500, '{}'));
      }
    });
  },
  gatewayOverrides(upstream),
);
