import { describe, expect, it } from 'vitest';
import type { ProviderInstance } from '../providers/instance.js';
import { hasDotSegment, resolveRoute } from './provider.js';
import { anthropicProvider } from './providers/anthropic.js';
import { openaiProvider } from './providers/openai.js';

const instance = (name: string, type: ProviderInstance['type'], baseUrl: string): ProviderInstance => ({
  name,
  type,
  baseUrl,
  headers: {},
  models: null,
  byok: 'central',
  settings: {},
  keys: [],
});
const timeouts = { connectMs: 10_000, firstByteMs: 600_000, idleMs: 600_000 };
const providers = new Map([
  ['openai', openaiProvider(instance('openai', 'openai', 'http://127.0.0.1:9/v1/'), undefined, timeouts)],
  [
    'anthropic',
    anthropicProvider(instance('anthropic', 'anthropic', 'http://127.0.0.1:9/'), undefined, timeouts),
  ],
]);

describe('dot-segments in gateway paths', () => {
  it.each([
    'openai/v1/models/../../../x',
    'openai/v1/models/./x',
    'openai/v1/models/%2e%2E/%2E%2e/x',
    'openai/v1/models/..%2f..%2fx',
    'openai/v1/models/..%5cx',
    'anthropic/v1/models/../../admin',
    'openai/v1/models/%zz',
  ])('never forwards %s', (path) => {
    expect(hasDotSegment(path)).toBe(true);
    expect(resolveRoute(path, providers).kind).toBe('unknown');
  });

  it('routes ordinary paths, dots inside names included', () => {
    expect(hasDotSegment('openai/v1/models/gpt-4.1')).toBe(false);
    expect(resolveRoute('openai/v1/models/gpt-4.1', providers).kind).toBe('passthrough');
    expect(resolveRoute('openai/v1/chat/completions?x=../..', providers).kind).toBe('bridged');
  });
});
