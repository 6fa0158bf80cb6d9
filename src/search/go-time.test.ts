import { describe, expect, it } from 'vitest';
import { parseGoTime, RFC3339, RFC3339_NANO } from './go-time.js';

const parsed = (text: string) => {
  const result = parseGoTime(text, RFC3339_NANO);
  if (!result.ok) throw new Error(result.error);
  return result.instant.sql;
};
const failure = (text: string, layout: typeof RFC3339 | typeof RFC3339_NANO = RFC3339_NANO) => {
  const result = parseGoTime(text, layout);
  if (result.ok) throw new Error(`expected ${text} to fail`);
  return result.error;
};

describe('parseGoTime (Go time.Parse with RFC 3339 layouts)', () => {
  it.each([
    ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00.000000000Z'],
    ['2025-01-01T10:11:12.123456789Z', '2025-01-01T10:11:12.123456789Z'],
    ['2025-01-01T10:11:12.1234567891234Z', '2025-01-01T10:11:12.123456789Z'],
    ['2025-01-01T10:11:12,5Z', '2025-01-01T10:11:12.500000000Z'],
    ['2025-01-01T01:30:00+02:00', '2024-12-31T23:30:00.000000000Z'],
    ['2025-01-01T23:00:00-01:30', '2025-01-02T00:30:00.000000000Z'],
    ['2025-01-01T1:02:03Z', '2025-01-01T01:02:03.000000000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000000000Z'],
    ['0001-01-01T00:00:00+01:00', '-infinity'],
  ])('%s → %s', (text, sql) => {
    expect(parsed(text)).toBe(sql);
  });

  const layout = RFC3339_NANO;
  it.each([
    ['INVALID', `parsing time "INVALID" as "${layout}": cannot parse "INVALID" as "2006"`],
    ['2025', `parsing time "2025" as "${layout}": cannot parse "" as "-"`],
    [
      '2025-1-01T00:00:00Z',
      `parsing time "2025-1-01T00:00:00Z" as "${layout}": cannot parse "1-01T00:00:00Z" as "01"`,
    ],
    ['2025-01-01', `parsing time "2025-01-01" as "${layout}": cannot parse "" as "T"`],
    [
      '2025-01-01 00:00:00Z',
      `parsing time "2025-01-01 00:00:00Z" as "${layout}": cannot parse " 00:00:00Z" as "T"`,
    ],
    ['2025-01-01T00:00:00', `parsing time "2025-01-01T00:00:00" as "${layout}": cannot parse "" as "Z07:00"`],
    [
      '2025-01-01T00:00:00+0100',
      `parsing time "2025-01-01T00:00:00+0100" as "${layout}": cannot parse "+0100" as "Z07:00"`,
    ],
    ['2025-13-01T00:00:00Z', 'parsing time "2025-13-01T00:00:00Z": month out of range'],
    ['2025-02-29T00:00:00Z', 'parsing time "2025-02-29T00:00:00Z": day out of range'],
    ['2025-01-01T24:00:00Z', 'parsing time "2025-01-01T24:00:00Z": hour out of range'],
    ['2025-01-01T00:60:00Z', 'parsing time "2025-01-01T00:60:00Z": minute out of range'],
    ['2025-01-01T00:00:60Z', 'parsing time "2025-01-01T00:00:60Z": second out of range'],
    [
      '2025-01-01T00:00:00+25:00',
      'parsing time "2025-01-01T00:00:00+25:00": time zone offset hour out of range',
    ],
    ['2025-01-01T00:00:00ZX', 'parsing time "2025-01-01T00:00:00ZX": extra text: "X"'],
    ['2025-01-01T00:00:00Zé', 'parsing time "2025-01-01T00:00:00Z\\xc3\\xa9": extra text: "\\xc3\\xa9"'],
  ])('%s fails like Go', (text, message) => {
    expect(failure(text)).toBe(message);
  });

  it('names the layout it was given', () => {
    expect(failure('nope', RFC3339)).toBe(
      `parsing time "nope" as "${RFC3339}": cannot parse "nope" as "2006"`,
    );
  });
});
