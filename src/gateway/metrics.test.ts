import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { packageModelNames } from '../pricing/package-book.js';
import { KnownModels } from './known-models.js';
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

it('labels a model by name only when it is priced or allowlisted; anything else is other', async () => {
  const overrides = { version: 1, models: ['my-self-hosted-llama'] };
  let providers = new Map([
    ['local', { models: new Set(['house-model-v2']) as ReadonlySet<string> | undefined }],
  ]);
  const known = new KnownModels({
    packageIds: packageModelNames,
    overrides: { overrideModels: () => overrides.models, version: overrides.version },
    providers: () => providers,
  });
  const registry = new Registry();
  const metrics = new GatewayMetrics(registry, known);
  const labelOf = (model: string) =>
    metrics.seriesFor({
      provider: 'anthropic',
      model,
      route: '/v1/messages',
      method: 'POST',
      client: 'Unknown',
    }).labels.model;
  expect(labelOf('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5-20250929');
  expect(labelOf('claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
  expect(labelOf('gpt-4o-mini')).toBe('gpt-4o-mini');
  expect(labelOf('my-self-hosted-llama')).toBe('my-self-hosted-llama');
  expect(labelOf('house-model-v2')).toBe('house-model-v2');
  expect(labelOf('zzz-random')).toBe('other');
  expect(labelOf('claude-sonnet-4-5-zzz-random')).toBe('other');
  expect(labelOf('Claude-Sonnet-4-5')).toBe('other'); // only names exactly as listed
  // Made-up dates cannot use up the labels of listed models: dated snapshots have their own budget.
  const dated = new Set<string>();
  for (let i = 0; i < 500; i++) dated.add(labelOf(`claude-sonnet-4-5-2025${String(i).padStart(4, '0')}`));
  expect(dated.size).toBeLessThanOrEqual(51);
  expect(dated).toContain('other');
  expect(labelOf('claude-haiku-4-5')).toBe('claude-haiku-4-5');
  // A model allowlisted later (the instances reloaded) gets its label from then on.
  expect(labelOf('added-later')).toBe('other');
  providers = new Map([['local', { models: new Set(['house-model-v2', 'added-later']) }]]);
  expect(labelOf('added-later')).toBe('added-later');
});
