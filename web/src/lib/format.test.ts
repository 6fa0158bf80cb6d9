import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatCost,
  formatCount,
  formatDuration,
  formatLocal,
  formatSpan,
  formatUtc,
  initials,
  prettyJson,
  truncate,
} from './format.js';

describe('formatting', () => {
  it('keeps small counts exact and compacts large ones', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(9999)).toBe('9,999');
    expect(formatCount(12_345)).toBe('12.3K');
    expect(formatCount(4_500_000)).toBe('4.5M');
  });

  it('writes durations in the two largest useful units', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(-1)).toBe('—');
    expect(formatSpan('2026-05-04T09:00:00Z', '2026-05-04T09:01:00Z')).toBe('1 min');
    expect(formatSpan('2026-05-04T09:00:00Z', undefined)).toBe('—');
  });

  it('shows local times and exact UTC instants', () => {
    expect(formatUtc('2026-05-04T09:00:00.123456Z')).toBe('2026-05-04 09:00:00 UTC');
    const now = new Date('2026-11-28T12:00:00Z');
    expect(formatLocal('2026-05-04T23:30:00Z', 'Europe/Paris', now)).toBe('May 5, 1:30 AM');
    expect(formatLocal('2025-12-31T23:30:00Z', 'Europe/Paris', now)).toBe('Jan 1, 12:30 AM');
    expect(formatLocal('2025-12-31T22:30:00Z', 'Europe/Paris', now)).toBe('Dec 31, 2025, 11:30 PM');
  });

  it('derives initials, truncates prompts and pretty-prints tool arguments', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('mary-jane-watson')).toBe('MW');
    expect(truncate('fix the\n  failing   test', 12)).toBe('fix the fai…');
    expect(prettyJson('{"path":"a.ts"}')).toBe('{\n  "path": "a.ts"\n}');
    expect(prettyJson('not json')).toBe('not json');
  });
});

describe('formatAgo', () => {
  it('says how long ago a token was last used, as the connect page shows it', () => {
    const now = new Date('2026-12-08T12:00:00Z');
    expect(formatAgo('2026-12-08T11:59:30Z', now)).toBe('just now');
    expect(formatAgo('2026-12-08T11:57:00Z', now)).toBe('3 min ago');
    expect(formatAgo('2026-12-08T07:00:00Z', now)).toBe('5 h ago');
    expect(formatAgo('2026-12-06T11:00:00Z', now)).toBe('2 d ago');
    expect(formatAgo('2026-12-08T12:00:05Z', now)).toBe('just now');
  });
});

describe('formatCost', () => {
  it('writes micro-dollars as money, small amounts still readable, unpriced as a dash', () => {
    expect(formatCost(4200, 'en-US')).toBe('$0.0042');
    expect(formatCost(1_234_560, 'en-US')).toBe('$1.23');
    expect(formatCost(0, 'en-US')).toBe('$0.00');
    expect(formatCost(52_850, 'en-US')).toBe('$0.05');
    expect(formatCost(null, 'en-US')).toBe('—');
    expect(formatCost(1_500_000, 'de-DE')).toBe('1,50\u00a0$');
  });
});
