import { describe, expect, it } from 'vitest';
import { formatQuery, getQueryValue, joinQueries, parseQuery, setQueryValue } from './query.js';

describe('q strings', () => {
  it('reads keys, quoted values and bare words as the API tokenises them', () => {
    expect(parseQuery('initiator:me client:"Claude Code" started_after:"2026-01-01T00:00:00Z" fix')).toEqual([
      { key: 'initiator', value: 'me' },
      { key: 'client', value: 'Claude Code' },
      { key: 'started_after', value: '2026-01-01T00:00:00Z' },
      { key: undefined, value: 'fix' },
    ]);
    expect(parseQuery('  ')).toEqual([]);
    expect(parseQuery('Model:gpt-5')).toEqual([{ key: 'model', value: 'gpt-5' }]);
  });

  it('quotes values with spaces or colons when writing them back', () => {
    expect(formatQuery(parseQuery('client:"Claude Code" model:gpt-5'))).toBe(
      'client:"Claude Code" model:gpt-5',
    );
    expect(setQueryValue('', 'started_before', '2026-01-01T10:00:00Z')).toBe(
      'started_before:"2026-01-01T10:00:00Z"',
    );
  });

  it('replaces or removes one key and keeps the rest', () => {
    const q = 'initiator:alice provider:openai';
    expect(setQueryValue(q, 'initiator', 'bob')).toBe('provider:openai initiator:bob');
    expect(setQueryValue(q, 'provider', undefined)).toBe('initiator:alice');
    expect(getQueryValue(q, 'provider')).toBe('openai');
    expect(getQueryValue(q, 'client')).toBeUndefined();
  });

  it('joins the typed filter with the date range', () => {
    expect(joinQueries(' provider:openai ', '', undefined, 'started_after:"x"')).toBe(
      'provider:openai started_after:"x"',
    );
  });
});
