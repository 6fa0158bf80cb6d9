import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, expect, it, vi } from 'vitest';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';
import { gatewayOverrides, total, waitForRecording } from '../gateway.js';
import { describeEachServer } from '../server.js';
import { withoutAddedUsage } from './streams.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

/**
 * The provider answers every call with the fixture matching its API and stream flag; like
 * OpenAI, a chat stream carries usage only when `stream_options.include_usage` asks for it.
 */
upstream.always((req, res) => {
  const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean } } | undefined;
  const stream = body?.stream === true;
  if (stream && req.url.startsWith('/v1/chat/completions') && !body?.stream_options?.include_usage) {
    const sse = section(loadTxtar('openai/chatcompletions/simple.txtar'), 'streaming');
    return replay(withoutAddedUsage(sse), { delayMs: 1 })(req, res);
  }
  const fixture = req.url.startsWith('/v1/messages')
    ? loadTxtar('anthropic/simple.txtar')
    : req.url.startsWith('/v1/chat/completions')
      ? loadTxtar('openai/chatcompletions/simple.txtar')
      : loadTxtar(
          stream ? 'openai/responses/streaming/simple.txtar' : 'openai/responses/blocking/simple.txtar',
        );
  return replay(section(fixture, stream ? 'streaming' : 'non-streaming'), { delayMs: 1 })(req, res);
});

const PROMPT = [{ role: 'user' as const, content: 'how many angels can dance on the head of a pin\n' }];

async function chat(client: OpenAI, includeUsage?: boolean) {
  const blocking = await client.chat.completions.create({ model: 'gpt-4.1', messages: PROMPT });
  const stream = await client.chat.completions.create({
    model: 'gpt-4.1',
    messages: PROMPT,
    stream: true,
    ...(includeUsage === undefined ? {} : { stream_options: { include_usage: includeUsage } }),
  });
  let streamed = '';
  let usage: unknown;
  const keys = new Set<string>();
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    for (const key of Object.keys(chunk)) keys.add(key);
    streamed += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  return {
    blocking: [blocking.choices[0]?.message.content, blocking.usage],
    streamed: [streamed, usage, chunks, [...keys].sort()],
  };
}

async function responses(client: OpenAI) {
  const blocking = await client.responses.create({ model: 'gpt-4o-mini', input: 'tell me a joke' });
  const stream = await client.responses.create({
    model: 'gpt-4o-mini',
    input: 'tell me a joke',
    stream: true,
  });
  let streamed = '';
  let usage: unknown;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') streamed += event.delta;
    if (event.type === 'response.completed') usage = event.response.usage;
  }
  return { blocking: [blocking.output_text, blocking.usage], streamed: [streamed, usage] };
}

async function messages(client: Anthropic) {
  const params = { model: 'claude-sonnet-4-0', max_tokens: 8192, messages: PROMPT };
  const blocking = await client.messages.create(params);
  const final = await client.messages.stream(params).finalMessage();
  return { blocking: [blocking.content, blocking.usage], streamed: [final.content, final.usage] };
}

describeEachServer(
  'official SDKs through aibridge',
  (server) => {
    const viaBridge = () => ({
      openai: new OpenAI({
        baseURL: `${server().url}/api/v2/aibridge/openai/v1`,
        apiKey: server().ownerToken,
        maxRetries: 0,
      }),
      anthropic: new Anthropic({
        baseURL: `${server().url}/api/v2/aibridge/anthropic`,
        apiKey: server().ownerToken,
        maxRetries: 0,
      }),
    });
    const direct = {
      openai: new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'sk-direct', maxRetries: 0 }),
      anthropic: new Anthropic({ baseURL: upstream.url, apiKey: 'sk-direct', maxRetries: 0 }),
    };

    /** Waits for every interception the SDK made and returns them with their token rows. */
    const recordedSince = async (startedAfter: Date, expected: number) => {
      const db = server().running.db;
      const rows = await vi.waitFor(
        async () => {
          const rows = await db.kysely
            .selectFrom('aibridge_interceptions')
            .select(['id', 'ended_at'])
            .where('started_at', '>=', startedAfter)
            .execute();
          if (rows.length !== expected || !rows.every((r) => r.ended_at)) {
            throw new Error(`${rows.filter((r) => r.ended_at).length} of ${expected} interceptions recorded`);
          }
          return rows;
        },
        { timeout: 30_000, interval: 25 },
      );
      return Promise.all(rows.map((r) => waitForRecording(db, r.id)));
    };

    it.each([undefined, false, true])(
      'chat completions (include_usage: %s): same chunks and usage as a direct call, all recorded',
      async (includeUsage) => {
        const since = new Date();
        const bridged = await chat(viaBridge().openai, includeUsage);
        expect(bridged).toEqual(await chat(direct.openai, includeUsage));
        expect(bridged.streamed[0]).toMatch(/^The question/);
        // The client sees usage (and the `usage` member) only if it asked; aibridge records it anyway.
        expect(bridged.streamed[1] !== undefined).toBe(includeUsage === true);
        expect((bridged.streamed[3] as string[]).includes('usage')).toBe(includeUsage === true);
        const recorded = await recordedSince(since, 2);
        expect(recorded.map((r) => r.interception.client).sort()).toEqual([
          'OpenAI SDK (JS)',
          'OpenAI SDK (JS)',
        ]);
        expect(recorded.map((r) => total(r.tokens, 'output_tokens')).sort()).toEqual([200, 238]);
      },
    );

    it('responses: same content and usage as a direct call, streaming and blocking', async () => {
      const since = new Date();
      const bridged = await responses(viaBridge().openai);
      expect(bridged).toEqual(await responses(direct.openai));
      expect(bridged.blocking[0]).toContain('scarecrow');
      const recorded = await recordedSince(since, 2);
      expect(
        recorded.map((r) => [total(r.tokens, 'input_tokens'), total(r.tokens, 'output_tokens')]),
      ).toEqual([
        [11, 18],
        [11, 18],
      ]);
    });

    it('messages: same content and usage as a direct call, streaming and blocking', async () => {
      const since = new Date();
      const bridged = await messages(viaBridge().anthropic);
      expect(bridged).toEqual(await messages(direct.anthropic));
      expect(bridged.streamed[1]).toMatchObject({ input_tokens: 18, output_tokens: 240 });
      const recorded = await recordedSince(since, 2);
      expect(recorded.map((r) => total(r.tokens, 'output_tokens')).sort()).toEqual([240, 254]);
      expect(recorded.every((r) => r.prompts[0]?.prompt === PROMPT[0]?.content)).toBe(true);
    });
  },
  gatewayOverrides(upstream),
);
