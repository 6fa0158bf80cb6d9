import { describe, expect, it } from 'vitest';
import { countMatches, splitMatches } from './search.js';

describe('session search', () => {
  it('counts case-insensitive, non-overlapping matches', () => {
    expect(countMatches('Read README.md then read it again', 'read')).toBe(3);
    expect(countMatches('aaaa', 'aa')).toBe(2);
    expect(countMatches('anything', '')).toBe(0);
  });

  it('splits text into marked and plain runs', () => {
    expect(splitMatches('Fix the fix', 'FIX')).toEqual([
      { text: 'Fix', match: true },
      { text: ' the ', match: false },
      { text: 'fix', match: true },
    ]);
    expect(splitMatches('plain', 'zzz')).toEqual([{ text: 'plain', match: false }]);
  });
});
