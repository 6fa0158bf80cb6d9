import type { LimitRefusal } from '../limits/rate-limits.js';
import { anthropicError, type ErrorShape, openaiError } from './errors.js';

/**
 * The headers of a rate-limit 429 as the provider a route belongs to sends them, so an agent's
 * SDK backs off from aibridge exactly as from the provider: `retry-after` (whole seconds) for
 * everyone, Anthropic's `anthropic-ratelimit-requests-*` (reset as an RFC 3339 time) or
 * OpenAI's `x-ratelimit-*-requests` (reset as a duration such as `1s` or `6m0s`). Only on our own
 * refusals: a relayed answer carries the provider's own values untouched. A tokens-per-minute
 * refusal names tokens instead (`anthropic-ratelimit-tokens-*`, `x-ratelimit-*-tokens`): aibridge
 * counts input + output together, as Anthropic's combined `tokens` headers do.
 */
export function rateLimitHeaders(
  shape: ErrorShape,
  refusal: LimitRefusal,
  now = Date.now(),
): Record<string, string> {
  const headers: Record<string, string> = { 'retry-after': String(Math.ceil(refusal.retryAfterMs / 1000)) };
  const unit = refusal.unit;
  if (shape === anthropicError) {
    headers[`anthropic-ratelimit-${unit}-limit`] = String(refusal.limit);
    headers[`anthropic-ratelimit-${unit}-remaining`] = '0';
    headers[`anthropic-ratelimit-${unit}-reset`] = new Date(now + refusal.retryAfterMs)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  } else if (shape === openaiError) {
    headers[`x-ratelimit-limit-${unit}`] = String(refusal.limit);
    headers[`x-ratelimit-remaining-${unit}`] = '0';
    headers[`x-ratelimit-reset-${unit}`] = goDuration(refusal.retryAfterMs);
  }
  return headers;
}

/** The message of a rate-limit 429, naming the setting (or the group) that set the limit. */
export function rateLimitMessage(refusal: LimitRefusal): string {
  const retry = `retry in ${Math.ceil(refusal.retryAfterMs / 1000)}s`;
  if (refusal.scope === 'token') {
    return `too many requests for this aibridge token: ${refusal.limit} per second (AIBRIDGE_RATE_LIMIT)`;
  }
  if (refusal.scope === 'group') {
    return refusal.unit === 'tokens'
      ? `group ${refusal.group} has used its ${refusal.limit} tokens per minute, shared by its members; ${retry}`
      : `too many requests for group ${refusal.group}: ${refusal.limit} per minute, shared by its members; ${retry}`;
  }
  return refusal.unit === 'tokens'
    ? `this person has used their ${refusal.limit} tokens per minute across their tokens (AIBRIDGE_USER_TOKENS_PER_MINUTE); ${retry}`
    : `too many requests for this person: ${refusal.limit} per minute across their tokens (AIBRIDGE_USER_RATE_LIMIT)`;
}

/** A duration as OpenAI writes its resets (Go's format): `250ms`, `1s`, `1.5s`, `6m0s`. */
function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Number(((ms % 60_000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
