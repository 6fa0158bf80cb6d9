import { describe, expect, it } from 'vitest';
import { anthropicError, openaiError, plainError } from '../gateway/errors.js';
import { startingShape } from './starting.js';

describe('the error shape while starting (provider instances not loaded yet)', () => {
  it.each([
    ['/api/v2/aibridge/anthropic/v1/messages', {}, anthropicError],
    ['/api/v2/aibridge/claude-eu/v1/messages/count_tokens?beta=true', {}, anthropicError],
    ['/api/v2/aibridge/claude-eu/v1/models', { 'anthropic-version': '2023-06-01' }, anthropicError],
    ['/api/v2/aibridge/anthropic/v1/models', {}, anthropicError],
    ['/api/v2/aibridge/openai/v1/chat/completions', {}, openaiError],
    ['/api/v2/aibridge/team-openai/v1/responses', {}, openaiError],
    ['/api/v2/aibridge/azure/openai/deployments/gpt/chat/completions?api-version=1', {}, openaiError],
    ['/api/v2/aibridge/interceptions?limit=5', {}, plainError],
    ['/api/v2/users/me', {}, plainError],
    ['/', {}, plainError],
  ])('%s', (url, headers, shape) => {
    expect(startingShape(url, headers)).toBe(shape);
  });
});
