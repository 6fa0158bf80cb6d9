import { describe, expect, it } from 'vitest';
import { hasDotSegment, resolveRoute } from './provider.js';
import { anthropicProvider } from './providers/anthropic.js';
import { openaiProvider } from './providers/openai.js';

const providers = [
  openaiProvider('http://127.0.0.1:9/v1/', 'sk'),
  anthropicProvider('http://127.0.0.1:9/', 'sk'),
];

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
