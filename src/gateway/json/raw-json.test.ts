import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, RawJson } from './raw-json.js';

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const TRICKY_STRINGS = [
  '',
  'a"b',
  'back\\slash\\',
  '\\"',
  'ünïcødé ✓ 🎉',
  'line\nbreak',
  '{[,:]}',
  'x'.repeat(300),
];

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 4 : 6));
  if (pick === 0) return TRICKY_STRINGS[Math.floor(rand() * TRICKY_STRINGS.length)];
  if (pick === 1) return Math.round((rand() - 0.5) * 1e6) / 100;
  if (pick === 2) return [true, false, null][Math.floor(rand() * 3)];
  if (pick === 3) return `s${Math.floor(rand() * 1000)}`;
  if (pick === 4) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(rand() * 5); i++) {
    obj[`${TRICKY_STRINGS[Math.floor(rand() * TRICKY_STRINGS.length)]}${i}`] = randomValue(rand, depth + 1);
  }
  return obj;
}

/** JSON.stringify with random whitespace around every token. */
function spaced(value: unknown, rand: () => number): string {
  const ws = () => [' ', '', '\n', '\t', '  \r\n'][Math.floor(rand() * 5)] as string;
  if (Array.isArray(value))
    return `[${ws()}${value.map((v) => `${spaced(v, rand)}${ws()}`).join(`,${ws()}`)}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}${ws()}:${ws()}${spaced(v, rand)}`,
    );
    return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
  }
  return JSON.stringify(value);
}

describe('RawJson', () => {
  it('finds every member and element that JSON.parse finds, for random documents', () => {
    const rand = prng(42);
    for (let round = 0; round < 300; round++) {
      const value = { doc: randomValue(rand, 0), list: [randomValue(rand, 1), randomValue(rand, 1)] };
      const json = new RawJson(Buffer.from(` ${spaced(value, rand)} `));
      const fields = json.fields(json.root());
      expect(json.value(fields.get('doc'))).toEqual(value.doc);
      const list = fields.get('list');
      expect(list && json.elements(list).map((span) => json.value(span))).toEqual(value.list);
      const doc = fields.get('doc');
      if (doc && json.kind(doc) === 'object') {
        for (const [key, span] of json.fields(doc)) {
          expect(json.value(span)).toEqual((value.doc as Record<string, unknown>)[key]);
        }
      }
    }
  });

  it('decodes strings with and without escapes, and reads literals', () => {
    const json = new RawJson(Buffer.from('{"a":"plain","b":"q\\"uote\\u00e9","c":true,"d":"true","e\\n":1}'));
    const f = json.fields(json.root());
    expect(json.string(f.get('a'))).toBe('plain');
    expect(json.string(f.get('b'))).toBe('q"uoteé');
    expect(json.isTrue(f.get('c'))).toBe(true);
    expect(json.isTrue(f.get('d'))).toBe(false);
    expect(json.string(f.get('c'))).toBeUndefined();
    expect(f.has('e\n')).toBe(true);
  });

  it('keeps the last of duplicate keys, like JSON.parse', () => {
    const json = new RawJson(Buffer.from('{"stream":false,"stream":true}'));
    expect(json.isTrue(json.field(json.root(), 'stream'))).toBe(true);
  });

  it.each([
    ['', 'empty document'],
    ['   ', 'empty document'],
    ['{"a":', 'unterminated object'],
    ['{"a":,}', 'expected a value'],
    ['{"a":"b}', 'unterminated string'],
    ['{"a":[1,2}', "mismatched '}'"],
    ['{"a" 1}', "expected ':'"],
    ['{"a":1 "b":2}', "expected ',' or '}'"],
    ['{"a":1} x', 'trailing bytes'],
    ['[1,2', 'unterminated array'],
  ])('rejects %j', (text, message) => {
    const json = new RawJson(Buffer.from(text));
    expect(() => json.fields(json.root())).toThrow(JsonSyntaxError);
    expect(() => json.fields(json.root())).toThrow(message);
  });

  it('tells kinds apart and gives nothing for members of non-objects', () => {
    const json = new RawJson(Buffer.from('[{"a":1},[2],"s",3,null]'));
    const [obj, arr, str, num, nil] = json.elements(json.root());
    expect([obj, arr, str, num, nil].map((s) => s && json.kind(s))).toEqual([
      'object',
      'array',
      'string',
      'number',
      'literal',
    ]);
    expect(json.fields(arr!).size).toBe(0);
    expect(json.elements(obj!)).toEqual([]);
  });
});
