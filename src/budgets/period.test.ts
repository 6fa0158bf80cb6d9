import { describe, expect, it } from 'vitest';
import { periodBounds } from './period.js';

const iso = (b: { start: Date; end: Date }) => [b.start.toISOString(), b.end.toISOString()];

describe('periodBounds', () => {
  it('counts UTC days, ISO weeks (Monday first) and months', () => {
    const at = new Date('2026-12-06T21:00:00Z'); // a Sunday
    expect(iso(periodBounds('day', at))).toEqual(['2026-12-06T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    expect(iso(periodBounds('week', at))).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    expect(iso(periodBounds('month', at))).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('follows the configured zone, across its daylight-saving change', () => {
    // 23:30 UTC on 24 October is already the 25th in Paris (UTC+2 until 03:00 that day).
    const at = new Date('2026-10-24T23:30:00Z');
    expect(iso(periodBounds('day', at, 'Europe/Paris'))).toEqual([
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
    ]);
    expect(iso(periodBounds('month', at, 'America/New_York'))).toEqual([
      '2026-10-01T04:00:00.000Z',
      '2026-11-01T04:00:00.000Z',
    ]);
  });

  it('gives the next period once the clock crosses into it, and the earlier one when it goes back', () => {
    const dec = ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'];
    const jan = ['2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'];
    expect(iso(periodBounds('month', new Date('2026-12-31T23:59:59.999Z')))).toEqual(dec);
    expect(iso(periodBounds('month', new Date('2027-01-01T00:00:00.000Z')))).toEqual(jan);
    expect(iso(periodBounds('month', new Date('2026-12-15T12:00:00.000Z')))).toEqual(dec);
    // the same instant in another zone is a period of its own
    expect(iso(periodBounds('month', new Date('2026-12-31T23:30:00.000Z'), 'Europe/Paris'))).toEqual([
      '2026-12-31T23:00:00.000Z',
      '2027-01-31T23:00:00.000Z',
    ]);
    expect(iso(periodBounds('day', new Date('2026-12-31T23:30:00.000Z')))).toEqual([
      '2026-12-31T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });
});
