import { expect, it } from 'vitest';
import { anthropicError, openaiError, plainError } from './errors.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

const now = Date.parse('2026-12-08T04:00:00.000Z');

it('writes Anthropic’s request headers, reset as an RFC 3339 time', () => {
  const refusal = {
    scope: 'token' as const,
    unit: 'requests' as const,
    limit: 10,
    windowS: 1,
    retryAfterMs: 400,
  };
  expect(rateLimitHeaders(anthropicError, refusal, now)).toEqual({
    'retry-after': '1',
    'anthropic-ratelimit-requests-limit': '10',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': '2026-12-08T04:00:00Z',
  });
});

it('writes OpenAI’s request headers, reset as a duration', () => {
  const minute = {
    scope: 'user' as const,
    unit: 'requests' as const,
    limit: 600,
    windowS: 60,
    retryAfterMs: 61_500,
  };
  expect(rateLimitHeaders(openaiError, minute, now)).toEqual({
    'retry-after': '62',
    'x-ratelimit-limit-requests': '600',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '1m1.5s',
  });
  const second = { ...minute, retryAfterMs: 250 };
  expect(rateLimitHeaders(openaiError, second, now)['x-ratelimit-reset-requests']).toBe('250ms');
});

it('sends only Retry-After on paths that belong to no provider', () => {
  const refusal = {
    scope: 'token' as const,
    unit: 'requests' as const,
    limit: 1,
    windowS: 1,
    retryAfterMs: 2000,
  };
  expect(rateLimitHeaders(plainError, refusal, now)).toEqual({ 'retry-after': '2' });
});

it('names tokens instead of requests when a tokens-per-minute window refused', () => {
  const refusal = {
    scope: 'group' as const,
    unit: 'tokens' as const,
    group: 'platform',
    limit: 5000,
    windowS: 60,
    retryAfterMs: 30_000,
  };
  expect(rateLimitHeaders(anthropicError, refusal, now)).toEqual({
    'retry-after': '30',
    'anthropic-ratelimit-tokens-limit': '5000',
    'anthropic-ratelimit-tokens-remaining': '0',
    'anthropic-ratelimit-tokens-reset': '2026-12-08T04:00:30Z',
  });
  expect(rateLimitHeaders(openaiError, refusal, now)).toEqual({
    'retry-after': '30',
    'x-ratelimit-limit-tokens': '5000',
    'x-ratelimit-remaining-tokens': '0',
    'x-ratelimit-reset-tokens': '30s',
  });
});
