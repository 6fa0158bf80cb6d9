import { describe, expect, it } from 'vitest';
import { parseDurationFlag, parseLimit, parseTimeFlag } from './flags.js';
import { compactNumber, humanDuration, localTime, truncate } from './format.js';
import { renderTable } from './table.js';
import { terminalOf } from './terminal.js';

const NOW = new Date('2026-11-28T12:00:00Z');

describe('human times and durations', () => {
  it('reads a duration ago, a local date, a local date and time, and RFC 3339', () => {
    expect(parseTimeFlag('--since', '2h', NOW).toISOString()).toBe('2026-11-28T10:00:00.000Z');
    expect(parseTimeFlag('--since', '3d', NOW).toISOString()).toBe('2026-11-25T12:00:00.000Z');
    expect(parseTimeFlag('--since', '1w2d', NOW).toISOString()).toBe('2026-11-19T12:00:00.000Z');
    expect(parseTimeFlag('--since', '2026-11-01', NOW).getTime()).toBe(new Date(2026, 10, 1).getTime());
    expect(parseTimeFlag('--since', '2026-11-01 14:30', NOW).getTime()).toBe(
      new Date(2026, 10, 1, 14, 30).getTime(),
    );
    expect(parseTimeFlag('--until', '2026-11-01T14:30:00+02:00', NOW).toISOString()).toBe(
      '2026-11-01T12:30:00.000Z',
    );
    expect(parseTimeFlag('--until', '2026-11-01T14:30:00.250Z', NOW).toISOString()).toBe(
      '2026-11-01T14:30:00.250Z',
    );
  });

  it.each(['yesterday', '2026-13-01', '2026-02-30', '2h ago', '12', '2026-11-01T25:00', '5x'])(
    'refuses %j with a usage error naming the flag',
    (text) => {
      expect(() => parseTimeFlag('--since', text, NOW)).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: expect.stringContaining(`invalid --since "${text}"`),
        }),
      );
    },
  );

  it('reads durations and limits, or says what is wrong', () => {
    expect(parseDurationFlag('--older-than', '30d')).toBe(30 * 86_400_000);
    expect(() => parseDurationFlag('--older-than', '30 days')).toThrow(/invalid --older-than "30 days"/);
    expect(parseLimit('1000', 1000)).toBe(1000);
    for (const bad of ['0', '-1', '1.5', 'ten', '1001']) {
      expect(() => parseLimit(bad, 1000)).toThrow('limit value must be between 1 and 1000');
    }
  });
});

describe('values in tables', () => {
  it('compacts numbers, says durations, shows local times', () => {
    expect(
      [0, 999, 1000, 1234, 12_345, 999_499, 999_500, 4_500_000, 2_000_000_000].map(compactNumber),
    ).toEqual(['0', '999', '1k', '1.2k', '12k', '999k', '1M', '4.5M', '2G']);
    expect([850, 12_000, 192_000, 7_500_000, 200_000_000].map(humanDuration)).toEqual([
      '850ms',
      '12s',
      '3m 12s',
      '2h 5m',
      '2d 7h',
    ]);
    const local = new Date(2026, 10, 28, 9, 5, 7);
    expect(localTime(local.toISOString())).toBe('2026-11-28 09:05');
    expect(localTime(local.toISOString(), true)).toBe('2026-11-28 09:05:07');
    expect(localTime(null)).toBe('');
  });

  it('cuts text to terminal columns, counting wide characters twice', () => {
    expect(truncate('hello world', 8)).toBe('hello w…');
    expect(truncate('hello', 8)).toBe('hello');
    expect(truncate('日本語のテキスト', 7)).toBe('日本語…');
    expect(truncate('anything', undefined)).toBe('anything');
  });

  it('fits a table to the terminal: the flex column first, then the shrinkable ones, never the ids', () => {
    const rows = [
      { id: 'a1b2c3d4', model: 'claude-sonnet-4-5', prompt: 'Explain the failing test in detail, please' },
    ];
    const columns = [
      { header: 'ID', cell: (r: (typeof rows)[number]) => r.id },
      { header: 'MODEL', cell: (r: (typeof rows)[number]) => r.model, minWidth: 8 },
      { header: 'PROMPT', cell: (r: (typeof rows)[number]) => r.prompt, flex: true },
    ];
    const terminal = (width: number | undefined) => ({
      ...terminalOf(process.stdout, { COLUMNS: String(width ?? '') }),
      width,
    });
    expect(renderTable(columns, rows, terminal(undefined))).toBe(
      'ID        MODEL              PROMPT\na1b2c3d4  claude-sonnet-4-5  Explain the failing test in detail, please\n',
    );
    expect(renderTable(columns, rows, terminal(50))).toBe(
      'ID        MODEL              PROMPT\na1b2c3d4  claude-sonnet-4-5  Explain the failing …\n',
    );
    expect(renderTable(columns, rows, terminal(30))).toBe(
      'ID        MODEL     PROMPT\na1b2c3d4  claude-…  Explain the…\n',
    );
  });
});
