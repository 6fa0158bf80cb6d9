import { expect, it } from 'vitest';
import { cleanJson } from './text.js';

it('replaces NUL and lone surrogates so PostgreSQL accepts the JSON, keeping valid pairs', () => {
  const value = { model: 'claude\uD800x', prompt: 'a\u0000b', tail: 'z\uDC00', emoji: '😀' };
  expect(JSON.parse(cleanJson(value))).toEqual({
    model: 'claude\uFFFDx',
    prompt: 'a\uFFFDb',
    tail: 'z\uFFFD',
    emoji: '😀',
  });
  expect(cleanJson({ plain: 'ok' })).toBe('{"plain":"ok"}');
});
