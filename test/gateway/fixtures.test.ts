import { afterAll, beforeEach, expect, it } from 'vitest';
import { FakeUpstream, replay } from '../fake-upstream.js';
import { loadTxtar, parseRawHttp, section } from '../fixtures.js';
import {
  ANTHROPIC_KEY,
  callGateway,
  gatewayOverrides,
  interceptionId,
  OPENAI_KEY,
  waitForRecording,
} from '../gateway.js';
import { describeEachServer } from '../server.js';
import { CASES } from './fixture-cases.js';
import { withoutAddedUsage } from './streams.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const ROUTES: Record<string, string> = {
  anthropic: '/anthropic/v1/messages',
  'openai/chatcompletions': '/openai/v1/chat/completions',
  'openai/responses': '/openai/v1/responses',
};

function routeOf(fixture: string): string {
  const key = Object.keys(ROUTES).find((prefix) => fixture.startsWith(prefix)) as string;
  return ROUTES[key] as string;
}

/** The request as sent: the fixture's own bytes when its `stream` already fits the mode. */
function requestBody(text: string, stream: boolean): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return parsed.stream === stream ? text : JSON.stringify({ ...parsed, stream });
}

describeEachServer(
  'fixture replay through the real server',
  (server) => {
    beforeEach(() => upstream.reset());

    it.each(CASES)('%s (%s)', async (fixture, mode, expected) => {
      const archive = loadTxtar(fixture);
      const upstreamAnswer = section(archive, mode);
      upstream.next(replay(upstreamAnswer));
      const sent = requestBody(section(archive, 'request'), mode === 'streaming');
      const res = await callGateway(server(), routeOf(fixture), {
        body: sent,
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        asApiKey: fixture.startsWith('anthropic'),
      });
      const received = Buffer.from(await res.arrayBuffer()).toString('utf8');

      // The client gets the provider's status and bytes, unchanged.
      if (upstreamAnswer.startsWith('HTTP/')) {
        const raw = parseRawHttp(upstreamAnswer);
        expect(res.status).toBe(raw.status);
        expect(received).toBe(raw.body);
      } else if (fixture.startsWith('openai/chatcompletions') && mode === 'streaming') {
        // Except the usage aibridge asked for and the client did not.
        expect(res.status).toBe(200);
        expect(received).toBe(withoutAddedUsage(upstreamAnswer));
      } else {
        expect(res.status).toBe(200);
        expect(received).toBe(upstreamAnswer);
      }

      // The provider got the body as sent (chat streaming: plus include_usage), its key, no aibridge token.
      const got = upstream.last;
      if (fixture.startsWith('openai/chatcompletions') && mode === 'streaming') {
        expect(got.json).toEqual({ ...JSON.parse(sent), stream_options: { include_usage: true } });
      } else {
        expect(got.body.toString('utf8')).toBe(sent);
      }
      const key = fixture.startsWith('anthropic') ? got.headers['x-api-key'] : got.headers.authorization;
      expect(key).toBe(fixture.startsWith('anthropic') ? ANTHROPIC_KEY : `Bearer ${OPENAI_KEY}`);
      expect(JSON.stringify(got.headers)).not.toContain(server().ownerToken);

      const recorded = await waitForRecording(server().running.db, interceptionId(res));
      expect(recorded.interception.ended_at).not.toBeNull();
      expect(recorded.interception.provider).toBe(fixture.startsWith('anthropic') ? 'anthropic' : 'openai');
      expect(recorded.interception.model).toBe(JSON.parse(sent).model);
      expect(
        recorded.tokens.map((row) => ({
          input: row.input_tokens,
          output: row.output_tokens,
          cacheRead: row.cache_read_input_tokens,
          cacheWrite: row.cache_write_input_tokens,
        })),
      ).toEqual(expected.tokens.map((t) => ({ cacheRead: 0, cacheWrite: 0, ...t })));
      if (expected.responseId) {
        for (const row of [...recorded.tokens, ...recorded.prompts]) {
          expect(row.provider_response_id).toBe(expected.responseId);
        }
      }
      if (expected.prompt !== undefined)
        expect(recorded.prompts.map((p) => p.prompt)).toEqual([expected.prompt]);
      if (upstreamAnswer.startsWith('HTTP/')) expect(recorded.prompts).toEqual([]);
      expect(
        recorded.tools.map((t) => ({
          id: t.provider_tool_call_id,
          name: t.tool,
          input: JSON.parse(t.input),
        })),
      ).toEqual(expected.tools ?? []);
      expect(recorded.tools.every((t) => !t.injected && t.server_url === null)).toBe(true);
      expect(recorded.thoughts.map((t) => t.content)).toEqual(expected.thoughts ?? []);
    });

    it('records cached prompt tokens of a chat completion once, as cache reads', async () => {
      const archive = loadTxtar('openai/chatcompletions/single_injected_tool.txtar');
      upstream.next(replay(section(archive, 'non-streaming/tool-call')));
      const res = await callGateway(server(), '/openai/v1/chat/completions', {
        json: { ...JSON.parse(section(archive, 'request')), stream: false },
      });
      await res.arrayBuffer();
      const { tokens } = await waitForRecording(server().running.db, interceptionId(res));
      expect(tokens.map((t) => [t.input_tokens, t.cache_read_input_tokens, t.output_tokens])).toEqual([
        [185, 4864, 60],
      ]);
      expect(tokens[0]?.metadata).toMatchObject({ prompt_cached: 4864 });
    });
  },
  gatewayOverrides(upstream),
);
