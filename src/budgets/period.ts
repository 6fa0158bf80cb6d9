import type { BudgetPeriod } from '../db/schema/index.js';

/** The calendar period an instant falls in: [start, end). */
export interface PeriodBounds {
  start: Date;
  end: Date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function wall(at: number, timeZone: string): { y: number; m: number; d: number; ms: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return { y: year, m: month, d: day, ms: Date.UTC(year, month - 1, day, hour, minute, second) };
}

/** The instant at which the zone's wall clock reads midnight of the given date. */
function midnight(y: number, m: number, d: number, timeZone: string): Date {
  const target = Date.UTC(y, m - 1, d);
  let instant = target;
  // Two rounds settle the zone's offset, including across a daylight-saving change.
  for (let i = 0; i < 2; i++) instant = target - (wall(instant, timeZone).ms - instant);
  return new Date(instant);
}

/** The last bounds computed per period and zone: every request in a period asks for the same ones. */
const recent = new Map<string, PeriodBounds>();

/**
 * The calendar day, week (Monday first, as ISO weeks) or month containing `at`, in `timeZone`
 * (an IANA name; UTC by default). Budgets reset at the start of the next one. Admission asks for
 * every request; the zone arithmetic (five `formatToParts` calls) runs only when `at` falls
 * outside the period last computed for that period and zone.
 */
export function periodBounds(period: BudgetPeriod, at: Date, timeZone = 'UTC'): PeriodBounds {
  const key = `${period}\u0000${timeZone}`;
  const t = at.getTime();
  let bounds = recent.get(key);
  if (!bounds || t < bounds.start.getTime() || t >= bounds.end.getTime()) {
    bounds = computeBounds(period, t, timeZone);
    recent.set(key, bounds);
  }
  return { start: new Date(bounds.start.getTime()), end: new Date(bounds.end.getTime()) };
}

function computeBounds(period: BudgetPeriod, at: number, timeZone: string): PeriodBounds {
  const { y, m, d } = wall(at, timeZone);
  if (period === 'month') {
    return {
      start: midnight(y, m, 1, timeZone),
      end: midnight(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1, timeZone),
    };
  }
  const day = new Date(Date.UTC(y, m - 1, d));
  if (period === 'week') day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  const next = new Date(day);
  next.setUTCDate(next.getUTCDate() + (period === 'week' ? 7 : 1));
  return {
    start: midnight(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), timeZone),
    end: midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  };
}
