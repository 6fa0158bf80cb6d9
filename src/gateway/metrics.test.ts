import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { GatewayMetrics } from './metrics.js';

it('keeps metric series bounded whatever models and tools clients send, and never carries user ids', async () => {
  const registry = new Registry();
  const metrics = new GatewayMetrics(registry);
  for (let i = 0; i < 5000; i++) {
    const series = metrics.seriesFor({
      provider: 'openai',
      model: `made-up-model-${i}`,
      route: '/chat/completions',
      method: 'POST',
      client: 'Unknown',
    });
    series.started();
    series.toolSelected(`tool-${i}`);
    series.tokenCounts({ input: 1 });
    series.ended('completed', 0.1);
    metrics.passthrough('openai', `/models/m-${i}`, 'GET');
  }
  const text = await registry.metrics();
  const models = new Set([...text.matchAll(/model="([^"]*)"/g)].map((m) => m[1]));
  expect(models.size).toBeLessThanOrEqual(201);
  expect(models).toContain('other');
  expect(new Set([...text.matchAll(/name="([^"]*)"/g)].map((m) => m[1])).size).toBeLessThanOrEqual(201);
  expect(new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1])).size).toBeLessThanOrEqual(102);
  expect(text).not.toContain('initiator_id');
  expect(text.length).toBeLessThan(1_000_000);
});
