import { afterAll, beforeEach, expect, it } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { callGateway, gatewayOverrides, interceptionId, waitForRecording } from '../gateway.js';
import { describeEachServer, type TestServer } from '../server.js';
import { chatCompletion } from './payloads.js';

const upstream = await FakeUpstream.start();
afterAll(() => upstream.close());

// 1000 prompt tokens of which 500 cached, 100 output.
const USAGE = { prompt: 1000, cached: 500, output: 100, reasoning: 0 };

async function chat(server: TestServer, model: string): Promise<number | null> {
  upstream.next(reply(200, chatCompletion(model, USAGE)));
  const res = await callGateway(server, '/openai/v1/chat/completions', {
    json: { model, messages: [{ role: 'user', content: 'hi' }] },
  });
  await res.arrayBuffer();
  const { interception } = await waitForRecording(server.running.db, interceptionId(res));
  return interception.cost_micros === null ? null : Number(interception.cost_micros);
}

type Book = {
  package: { name: string; version: string };
  overrides: Array<{ id: string; model: string }>;
  models: Array<{
    provider: string;
    model: string;
    source: string;
    rates: { input: number; cache_write_1h: number };
  }>;
  unpriced: Array<{ provider: string; model: string; interceptions: number }>;
};

describeEachServer(
  'the price book API',
  (server) => {
    beforeEach(() => upstream.reset());

    it('shows everyone the package, its version and its rates', async () => {
      const member = await server().createUser('pricereader');
      const res = await server().request('/api/v2/aibridge/prices', { token: member.token });
      expect(res.status).toBe(200);
      const book = (await res.json()) as Book;
      expect(book.package.name).toBe('@pydantic/genai-prices');
      expect(book.package.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(book.models.find((m) => m.model === 'claude-sonnet-4-5')).toMatchObject({
        provider: 'anthropic',
        source: 'package',
        rates: { input: 3_000_000, cache_write_1h: 6_000_000 },
      });
      const write = await server().request('/api/v2/aibridge/prices', {
        method: 'POST',
        token: member.token,
        json: { model: 'gpt-4o-mini', rates: { input: 1, output: 1 } },
      });
      expect(write.status).toBe(403);
    });

    it('an override prices new interceptions only; history keeps its cost', async () => {
      // Package rates: 500×0.15 + 500×0.075 + 100×0.6 = 172.5 → 173 µ$
      expect(await chat(server(), 'gpt-4o-mini')).toBe(173);
      const created = await server().request('/api/v2/aibridge/prices', {
        method: 'POST',
        json: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          rates: { input: 100_000, output: 400_000, cache_read: 50_000 },
          note: 'negotiated',
        },
      });
      expect(created.status).toBe(201);
      const override = (await created.json()) as { id: string };
      // 500×0.10 + 500×0.05 + 100×0.40 = 115 µ$
      expect(await chat(server(), 'gpt-4o-mini-2024-07-18')).toBe(115);
      const costs = await server()
        .running.db.kysely.selectFrom('aibridge_interceptions')
        .select('cost_micros')
        .where('model', 'like', 'gpt-4o-mini%')
        .orderBy('started_at')
        .execute();
      expect(costs.map((c) => Number(c.cost_micros))).toEqual([173, 115]);

      const book = (await (await server().request('/api/v2/aibridge/prices')).json()) as Book;
      expect(book.overrides.map((o) => o.id)).toContain(override.id);
      expect(book.models.find((m) => m.model === 'gpt-4o-mini')?.source).toBe('override');

      expect(
        (await server().request(`/api/v2/aibridge/prices/${override.id}`, { method: 'DELETE' })).status,
      ).toBe(204);
      expect(await chat(server(), 'gpt-4o-mini')).toBe(173);
      expect(
        (await server().request(`/api/v2/aibridge/prices/${override.id}`, { method: 'DELETE' })).status,
      ).toBe(404);
    });

    it('lists models recorded without a price, until an owner prices them', async () => {
      expect(await chat(server(), 'my-self-hosted-llama')).toBeNull();
      let book = (await (await server().request('/api/v2/aibridge/prices')).json()) as Book;
      expect(book.unpriced).toContainEqual({
        provider: 'openai',
        model: 'my-self-hosted-llama',
        interceptions: 1,
      });
      const created = await server().request('/api/v2/aibridge/prices', {
        method: 'POST',
        json: { model: 'my-self-hosted-llama', rates: { input: 0, output: 1_000_000 } },
      });
      expect(created.status).toBe(201);
      // 100 output tokens × $1/MTok = 100 µ$
      expect(await chat(server(), 'my-self-hosted-llama')).toBe(100);
      book = (await (await server().request('/api/v2/aibridge/prices')).json()) as Book;
      expect(book.unpriced).toContainEqual({
        provider: 'openai',
        model: 'my-self-hosted-llama',
        interceptions: 1,
      });
    });

    it('re-prices history only when an owner recalculates, saying what changed', async () => {
      // gpt-4.1-mini package rates: 500×0.40 + 500×0.10 + 100×1.60 = 410 µ$
      expect(await chat(server(), 'gpt-4.1-mini')).toBe(410);
      const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
      const created = await server().request('/api/v2/aibridge/prices', {
        method: 'POST',
        json: {
          model: 'gpt-4.1-mini',
          effective_from: dayAgo,
          rates: { input: 100_000, output: 400_000, cache_read: 50_000 },
        },
      });
      expect(created.status).toBe(201);
      const model = `model:gpt-4.1-mini`;
      const usage = async () =>
        (
          (await (
            await server().request(`/api/v2/aibridge/usage?q=${encodeURIComponent(model)}`)
          ).json()) as {
            totals: { cost_micros: number };
          }
        ).totals.cost_micros;
      expect(await usage()).toBe(410);
      const member = await server().createUser('recalculator');
      const refused = await server().request('/api/v2/aibridge/prices/recalculate', {
        method: 'POST',
        token: member.token,
        json: { since: dayAgo },
      });
      expect(refused.status).toBe(403);
      const res = await server().request('/api/v2/aibridge/prices/recalculate', {
        method: 'POST',
        json: { since: dayAgo },
      });
      expect(res.status).toBe(200);
      const run = (await res.json()) as { changed: number; done: boolean };
      expect(run.done).toBe(true);
      expect(run.changed).toBeGreaterThanOrEqual(1);
      // 500×0.10 + 500×0.05 + 100×0.40 = 115 µ$, in the rollup too
      expect(await usage()).toBe(115);
    });

    it('rejects bad rates with a validation error', async () => {
      const res = await server().request('/api/v2/aibridge/prices', {
        method: 'POST',
        json: { model: 'x', rates: { input: -1, output: 1.5 } },
      });
      expect(res.status).toBe(400);
    });
  },
  gatewayOverrides(upstream),
);
