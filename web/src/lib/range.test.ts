import { describe, expect, it } from 'vitest';
import { defaultBucket, isoToLocalInput, localInputToIso, parsePreset, presetStart } from './range.js';

describe('date ranges', () => {
  it('turns presets into absolute starts and picks a bucket', () => {
    const now = Date.parse('2026-05-08T12:00:00Z');
    expect(presetStart('7d', now)).toBe('2026-05-01T12:00:00.000Z');
    expect(presetStart('all', now)).toBeUndefined();
    expect(defaultBucket('24h')).toBe('hour');
    expect(defaultBucket('7d')).toBe('day');
    expect(defaultBucket('30d')).toBe('day');
    expect(parsePreset('bogus', '7d')).toBe('7d');
    expect(parsePreset('90d', '7d')).toBe('90d');
  });

  it('round-trips datetime-local inputs', () => {
    const iso = localInputToIso('2026-05-04T09:30');
    expect(iso).toMatch(/^2026-05-0\dT\d\d:30:00.000Z$/);
    expect(isoToLocalInput(iso)).toBe('2026-05-04T09:30');
    expect(localInputToIso('')).toBeUndefined();
  });
});
