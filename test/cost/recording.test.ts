import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, reply, stream } from '../fake-upstream.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, type TestServer } from '../server.js';
import {
  anthropicMessage,
  anthropicStream,
  chatCompletion,
  chatStream,
  response,
  responseStream,
} from './payloads.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

const SONNET = 'claude-sonnet-4-5-20250929';
// claude-sonnet-4-5: $3 input, $15 output, $0.30 cache read, $3.75 5m write, $6 1h write, $0.01 a search.
// 1000×3 + 500×15 + 2000×0.3 + 1000×3.75 + 3000×6 + 2×10,000 = 52,850 µ$
const ANTHROPIC_USAGE = {
  input: 1000,
  output: 500,
  cacheRead: 2000,
  cache5m: 1000,
  cache1h: 3000,
  webSearches: 2,
};
// Above 200k input (150k plain + 60k cached): 150,000×6 + 60,000×0.6 + 1,000×22.5 = 958,500 µ$
const LONG_CONTEXT = {
  input: 150_000,
  output: 1000,
  cacheRead: 60_000,
  cache5m: 0,
  cache1h: 0,
  webSearches: 0,
};
// gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output: 500×0.15 + 500×0.075 + 100×0.6 = 172.5 → 173 µ$
const CHAT_USAGE = { prompt: 1000, cached: 500, output: 100, reasoning: 0 };
// gpt-5: $1.25 input, $0.125 cached, $10 output (reasoning inside output), $0.01 a search:
// 6,000×1.25 + 4,000×0.125 + 2,000×10 + 10,000 = 38,000 µ$
const RESPONSES_USAGE = { prompt: 10_000, cached: 4000, output: 2000, reasoning: 1500 };

type Case = {
  name: string;
  route: string;
  body: Record<string, unknown>;
  answer: string;
  micros: number | null;
};

const CASES: Case[] = [
  ...(['blocking', 'streaming'] as const).flatMap((mode) => {
    const streaming = mode === 'streaming';
    return [
      {
        name: `Anthropic ${mode}: input, output, cache read, 5m and 1h cache writes, web search`,
        route: '/anthropic/v1/messages',
        body: {
          model: SONNET,
          max_tokens: 100,
          stream: streaming,
          messages: [{ role: 'user', content: 'hi' }],
        },
        answer: streaming
          ? anthropicStream(SONNET, ANTHROPIC_USAGE)
          : anthropicMessage(SONNET, ANTHROPIC_USAGE),
        micros: 52_850,
      },
      {
        name: `Anthropic ${mode}: the long-context tier`,
        route: '/anthropic/v1/messages',
        body: {
          model: SONNET,
          max_tokens: 100,
          stream: streaming,
          messages: [{ role: 'user', content: 'hi' }],
        },
        answer: streaming ? anthropicStream(SONNET, LONG_CONTEXT) : anthropicMessage(SONNET, LONG_CONTEXT),
        micros: 958_500,
      },
      {
        name: `OpenAI chat ${mode}: cached input once, at its own rate`,
        route: '/openai/v1/chat/completions',
        body: { model: 'gpt-4o-mini', stream: streaming, messages: [{ role: 'user', content: 'hi' }] },
        answer: streaming ? chatStream('gpt-4o-mini', CHAT_USAGE) : chatCompletion('gpt-4o-mini', CHAT_USAGE),
        micros: 173,
      },
      {
        name: `OpenAI responses ${mode}: cached input, reasoning as output, a web search`,
        route: '/openai/v1/responses',
        body: { model: 'gpt-5', stream: streaming, input: 'hi' },
        answer: streaming
          ? responseStream('gpt-5', RESPONSES_USAGE, 1)
          : response('gpt-5', RESPONSES_USAGE, 1),
        micros: 38_000,
      },
      {
        name: `an unpriced model ${mode}: cost null, never 0`,
        route: '/openai/v1/chat/completions',
        body: {
          model: 'my-self-hosted-llama',
          stream: streaming,
          messages: [{ role: 'user', content: 'hi' }],
        },
        answer: streaming
          ? chatStream('my-self-hosted-llama', CHAT_USAGE)
          : chatCompletion('my-self-hosted-llama', CHAT_USAGE),
        micros: null,
      },
    ];
  }),
];

async function send(server: TestServer, c: Case): Promise<string> {
  upstream.next(c.body.stream ? stream(c.answer) : reply(200, c.answer));
  const res = await callGateway(server, c.route, {
    json: c.body,
    headers: { 'anthropic-version': '2023-06-01' },
    asApiKey: c.route.startsWith('/anthropic'),
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return interceptionId(res);
}

describeEachServer(
  'cost of recorded interceptions',
  (server) => {
    beforeEach(() => upstream.reset());

    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const id = await send(server(), c);
      const { interception, tokens } = await waitForRecording(server().running.db, id);
      expect(tokens).toHaveLength(1);
      expect(tokens[0]?.cost_micros === null ? null : Number(tokens[0]?.cost_micros)).toBe(c.micros);
      expect(interception.cost_micros === null ? null : Number(interception.cost_micros)).toBe(c.micros);
      if (c.micros !== null) expect(tokens[0]?.price).toMatchObject({ source: 'package' });

      const api = await server().request(
        `/api/v2/aibridge/interceptions?q=${encodeURIComponent(`model:${String(c.body.model)}`)}`,
      );
      const listed = (
        (await api.json()) as {
          results: Array<{
            id: string;
            cost_micros: number | null;
            token_usages: Array<{ cost_micros: number | null }>;
          }>;
        }
      ).results.find((r) => r.id === id);
      expect(listed?.cost_micros).toBe(c.micros);
      expect(listed?.token_usages.map((t) => t.cost_micros)).toEqual([c.micros]);
    });

    it('counts unpriced interceptions in aibridge_unpriced_interceptions_total', async () => {
      const metrics = await (await fetch(`${server().url}/metrics`)).text();
      expect(metrics).toMatch(
        /aibridge_unpriced_interceptions_total\{provider="openai",model="my-self-hosted-llama"\} 2/,
      );
      expect(metrics).not.toMatch(/aibridge_unpriced_interceptions_total\{[^}]*model="gpt-4o-mini"/);
    });

    it('sums session and usage costs from the interceptions, counting the unpriced apart', async () => {
      const sessions = (await (await server().request('/api/v2/aibridge/sessions?limit=100')).json()) as {
        sessions: Array<{ cost_micros: number; unpriced_interceptions: number }>;
      };
      const usage = (await (await server().request('/api/v2/aibridge/usage')).json()) as {
        totals: { cost_micros: number; unpriced_interceptions: number };
      };
      const expected = CASES.reduce((sum, c) => sum + (c.micros ?? 0), 0);
      const sum = sessions.sessions.reduce((s, row) => s + row.cost_micros, 0);
      expect(sum).toBe(expected);
      expect(sessions.sessions.reduce((s, row) => s + row.unpriced_interceptions, 0)).toBe(2);
      expect(usage.totals).toMatchObject({ cost_micros: expected, unpriced_interceptions: 2 });
    });

    it('reports spend by model, provider and day, members seeing only their own', async () => {
      type Spend = {
        totals: { cost_micros: number };
        rows: Array<{ key: string; cost_micros: number; unpriced_interceptions: number }>;
      };
      const get = async (query: string, token?: string) =>
        (await (
          await server().request(`/api/v2/aibridge/spend?${query}`, token ? { token } : {})
        ).json()) as Spend;
      const byModel = await get('group_by=model');
      expect(byModel.rows.find((r) => r.key === SONNET)?.cost_micros).toBe(2 * (52_850 + 958_500));
      expect(byModel.rows.find((r) => r.key === 'my-self-hosted-llama')).toMatchObject({
        cost_micros: 0,
        unpriced_interceptions: 2,
      });
      const byProvider = await get('group_by=provider');
      expect(byProvider.rows.map((r) => [r.key, r.cost_micros])).toEqual([
        ['anthropic', 2 * (52_850 + 958_500)],
        ['openai', 2 * (173 + 38_000)],
      ]);
      const byDay = await get('group_by=day');
      expect(byDay.rows.reduce((sum, r) => sum + r.cost_micros, 0)).toBe(byDay.totals.cost_micros);
      const member = await server().createUser('spender');
      expect((await get('group_by=user', member.token)).rows).toEqual([]);
    });
  },
  gatewayOverrides(upstream),
);

describe('payloads', () => {
  it('stream Anthropic usage cumulatively, as the API does', () => {
    expect(anthropicStream(SONNET, ANTHROPIC_USAGE)).toContain('"event: message_delta'.slice(1));
  });
});
