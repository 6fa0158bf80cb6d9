import { describe, expect, it } from 'vitest';
import { goQuote } from './go-quote.js';
import { searchTerms, splitOutsideQuotes } from './tokenize.js';

const initiator = { key: 'initiator' };
const values = (q: string) => {
  const terms = searchTerms(q, initiator);
  if (!terms.ok) throw new Error(JSON.stringify(terms.validations));
  return Object.fromEntries(terms.values);
};
const error = (q: string, bare: Parameters<typeof searchTerms>[1] = initiator) => {
  const terms = searchTerms(q, bare);
  if (terms.ok) throw new Error(`expected an error for ${q}`);
  return terms.validations;
};

describe('searchTerms', () => {
  it.each([
    ['provider:openai', { provider: ['openai'] }],
    ['PROVIDER:OpenAI', { provider: ['OpenAI'] }],
    ['  model:gpt-4   client:"Claude Code" ', { model: ['gpt-4'], client: ['Claude Code'] }],
    ['started_after:"2025-01-01T00:00:00Z"', { started_after: ['2025-01-01T00:00:00Z'] }],
    ['"model":"a b"', { model: ['a b'] }],
    ['alice', { initiator: ['alice'] }],
    ['alice bob model:x', { model: ['x'], initiator: ['alice bob'] }],
    ['model:a model:b', { model: ['a', 'b'] }],
    ['provider:""', { provider: [''] }],
    ['a::b', { a: ['b'] }],
    ['"quoted:colon"', { initiator: ['"quoted:colon"'] }],
  ])('%s', (q, expected) => {
    expect(values(q)).toEqual(expected);
  });

  it.each([
    [':x', `Query element ":x" cannot start or end with ':'`],
    ['model:', `Query element "model:" cannot start or end with ':'`],
    [
      'started_after:2025-01-01T00:00:00Z',
      `Query element "started_after:2025-01-01T00:00:00Z" can only contain 1 ':'`,
    ],
    ['a:b:c model:x', `Query element "a:b:c" can only contain 1 ':'`],
  ])('rejects %s', (q, detail) => {
    expect(error(q)).toEqual([{ field: 'q', detail }]);
  });

  it('stops at the first bad element and reports a bare term where none is allowed', () => {
    expect(error('model:x free text', { error: 'no search key specified' })).toEqual([
      { field: 'q', detail: 'no search key specified' },
    ]);
    expect(error('x:1:2 :y')).toHaveLength(1);
  });

  it('splits like Go FieldsFunc with a quote toggle', () => {
    expect(splitOutsideQuotes('a "b c" d', ' ', true)).toEqual(['a', '"b c"', 'd']);
    expect(splitOutsideQuotes('k:"v:w"', ':', false)).toEqual(['k', 'v:w']);
    expect(splitOutsideQuotes('""x""', ':', false)).toEqual(['x']);
  });
});

describe('goQuote', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\there\n', '"tab\\there\\n"'],
    ['\x01\x7f', '"\\x01\\x7f"'],
    ['héllo ☃', '"héllo ☃"'],
    ['\u00a0\u200b', '"\\u00a0\\u200b"'],
  ])('%j', (input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });
});
