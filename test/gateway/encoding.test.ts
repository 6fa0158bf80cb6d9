import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, reply, stream } from '../fake-upstream.js';
import { callGateway, gatewayOverrides, interceptionId, total, waitForRecording } from '../gateway.js';
import { describeEachServer, startTestServer } from '../server.js';
import { BLOCKING, CHAT_STREAM_WITH_USAGE, MESSAGES_STREAM, RESPONSES_STREAM } from './streams.js';
import {
  type BodyApi,
  COMPRESSED_PROMPT,
  plainBody,
  ZSTD_BODIES,
  ZSTD_BOMB_STREAMED,
} from './zstd-bodies.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const PATHS: Record<BodyApi, string> = {
  messages: '/anthropic/v1/messages',
  chat: '/openai/v1/chat/completions',
  responses: '/openai/v1/responses',
};
const STREAMS: Record<BodyApi, string> = {
  messages: MESSAGES_STREAM,
  chat: CHAT_STREAM_WITH_USAGE,
  responses: RESPONSES_STREAM,
};

function compress(coding: string, api: BodyApi, streaming: boolean): Buffer {
  const plain = Buffer.from(plainBody(api, streaming));
  if (coding === 'gzip') return gzipSync(plain);
  if (coding === 'br') return brotliCompressSync(plain);
  if (coding === 'deflate') return deflateSync(plain);
  return Buffer.from(ZSTD_BODIES[`${api}-${streaming ? 'streaming' : 'blocking'}`] as string, 'base64');
}

const CASES = ['gzip', 'br', 'deflate', 'zstd'].flatMap((coding) =>
  (['messages', 'chat', 'responses'] as const).flatMap((api) =>
    [false, true].map((streaming) => ({ coding, api, streaming })),
  ),
);

describeEachServer(
  'compressed request bodies',
  (server) => {
    beforeEach(() => upstream.reset());

    it.each(CASES)('$coding $api (streaming: $streaming): recorded, forwarded as sent', async (c) => {
      upstream.next(c.streaming ? stream(STREAMS[c.api]) : reply(200, BLOCKING[c.api]));
      const sent = compress(c.coding, c.api, c.streaming);
      const res = await callGateway(server(), PATHS[c.api], {
        body: sent,
        headers: { 'content-type': 'application/json', 'content-encoding': c.coding },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('hel');
      const got = upstream.last;
      if (c.api === 'chat' && c.streaming) {
        // The one body aibridge edits (include_usage) goes up decoded: it re-encodes nothing.
        expect(got.headers['content-encoding']).toBeUndefined();
        expect(got.json).toMatchObject({ stream_options: { include_usage: true } });
      } else {
        expect(got.headers['content-encoding']).toBe(c.coding);
        expect(got.body.equals(sent)).toBe(true);
      }
      const recorded = await waitForRecording(server().running.db, interceptionId(res));
      expect(recorded.prompts.map((p) => p.prompt)).toEqual([COMPRESSED_PROMPT]);
      expect(total(recorded.tokens, 'input_tokens')).toBe(11);
    });

    it('answers an unknown Content-Encoding with 415 in the provider shape, sending nothing upstream', async () => {
      const res = await callGateway(server(), PATHS.chat, {
        body: 'whatever',
        headers: { 'content-type': 'application/json', 'content-encoding': 'lzma' },
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({
        error: { code: 'unsupported_media_type', message: expect.stringContaining('"lzma"') },
      });
      const anthropic = await callGateway(server(), PATHS.messages, {
        body: 'whatever',
        headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
      });
      expect(anthropic.status).toBe(415);
      expect(await anthropic.json()).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error' },
      });
      expect(upstream.received).toHaveLength(0);
    });

    it('answers bytes that do not decode with 400 naming the coding', async () => {
      const res = await callGateway(server(), PATHS.responses, {
        json: { model: 'gpt-4o-mini', input: 'plain, not gzip' },
        headers: { 'content-encoding': 'gzip' },
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/not valid gzip/);
      expect(upstream.received).toHaveLength(0);
    });
  },
  gatewayOverrides(upstream),
);

describe('a decompression bomb', () => {
  it('gets 413 in the provider shape for every coding, and nothing goes upstream', async () => {
    const server = await startTestServer('pglite', gatewayOverrides(upstream, { maxBodyBytes: 256 * 1024 }));
    try {
      upstream.reset();
      const zeros = Buffer.alloc(8 * 1024 * 1024);
      const bombs: [string, Buffer][] = [
        ['gzip', gzipSync(zeros)],
        ['br', brotliCompressSync(zeros)],
        ['deflate', deflateSync(zeros)],
        ['zstd', Buffer.from(ZSTD_BOMB_STREAMED, 'base64')],
      ];
      for (const [coding, bomb] of bombs) {
        for (const [path, shape] of [
          [PATHS.chat, { error: { code: 'request_too_large' } }],
          [PATHS.messages, { type: 'error', error: { type: 'request_too_large' } }],
        ] as const) {
          const res = await callGateway(server, path, {
            body: bomb,
            headers: { 'content-type': 'application/json', 'content-encoding': coding },
          });
          expect(res.status, coding).toBe(413);
          expect(await res.json()).toMatchObject(shape);
        }
      }
      expect(upstream.received).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
