import { timeQuote as tq } from './go-quote.js';

/** Go's time.RFC3339Nano layout: what the reference's search parser reads `q` times with. */
export const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
/** Go's time.RFC3339 layout: what the reference CLI reads `--started-*` flags with. */
export const RFC3339 = '2006-01-02T15:04:05Z07:00';

/** A parsed point in time: nanoseconds since the epoch and a UTC text PostgreSQL reads. */
export interface Instant {
  ns: bigint;
  /** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, or ±infinity outside PostgreSQL's years. */
  sql: string;
}

/** A time, or the error text Go's time.Parse gives for the same input. */
export type TimeResult = { ok: true; instant: Instant } | { ok: false; error: string };

const NS_PER_SECOND = 1_000_000_000n;

/** Go's zero time (0001-01-01T00:00:00Z), which the reference treats as "not given". */
export const ZERO_TIME_NS = BigInt(daysFromCivil(1, 1, 1)) * 86_400n * NS_PER_SECOND;

/**
 * Parses like Go's `time.Parse(layout, value)` for the two RFC 3339 layouts, chunk by chunk,
 * so that error messages (echoing the input) are the reference's word for word.
 */
export function parseGoTime(original: string, layout: typeof RFC3339_NANO | typeof RFC3339): TimeResult {
  const cannot = (value: string, element: string): TimeResult =>
    fail(`parsing time ${tq(original)} as ${tq(layout)}: cannot parse ${tq(value)} as ${tq(element)}`);
  const outOfRange = (what: string): TimeResult => fail(`parsing time ${tq(original)}: ${what} out of range`);
  let v = original;

  if (!/^[0-9]{4}/.test(v)) return cannot(v, '2006');
  const year = Number(v.slice(0, 4));
  v = v.slice(4);
  const numbers: number[] = [];
  for (const field of FIELDS) {
    if (v[0] !== field.prefix) return cannot(v, field.prefix);
    v = v.slice(1);
    const number = getnum(v, field.fixed);
    if (!number) return cannot(v, field.element);
    if (field.range && (number.n < field.min || number.n > field.max)) return outOfRange(field.range);
    numbers.push(number.n);
    v = number.rest;
  }
  const [month = 0, day = 0, hour = 0, minute = 0, second = 0] = numbers;

  const fraction = readFraction(v);
  v = fraction.rest;

  const zone = readZone(v);
  if ('range' in zone) return outOfRange(zone.range);
  if ('bad' in zone) return cannot(v, 'Z07:00');
  v = zone.rest;
  if (v.length > 0) return fail(`parsing time ${tq(original)}: extra text: ${tq(v)}`);
  if (day < 1 || day > daysInMonth(month, year)) return outOfRange('day');

  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - zone.offset;
  const ns = BigInt(seconds) * NS_PER_SECOND + BigInt(fraction.ns);
  return { ok: true, instant: { ns, sql: sqlText(ns) } };
}

/**
 * The numeric fields after the year, in layout order: the separator before each, its layout
 * element, whether it needs two digits, and the range checked at once (days are checked last,
 * against the month, as Go does).
 */
const FIELDS = [
  { prefix: '-', element: '01', fixed: true, range: 'month', min: 1, max: 12 },
  { prefix: '-', element: '02', fixed: true, range: undefined, min: 0, max: 99 },
  { prefix: 'T', element: '15', fixed: false, range: 'hour', min: 0, max: 23 },
  { prefix: ':', element: '04', fixed: true, range: 'minute', min: 0, max: 59 },
  { prefix: ':', element: '05', fixed: true, range: 'second', min: 0, max: 59 },
] as const;

const fail = (error: string): TimeResult => ({ ok: false, error });
const isDigit = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';

function getnum(s: string, fixed: boolean): { n: number; rest: string } | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : { n: Number(s[0]), rest: s.slice(1) };
  return { n: Number(s.slice(0, 2)), rest: s.slice(2) };
}

/** `.123` or `,123` (any number of digits, nanoseconds beyond the ninth ignored), or nothing. */
function readFraction(v: string): { ns: number; rest: string } {
  if (v.length < 2 || (v[0] !== '.' && v[0] !== ',') || !isDigit(v, 1)) return { ns: 0, rest: v };
  let end = 1;
  while (isDigit(v, end)) end++;
  const digits = v.slice(1, Math.min(end, 10));
  return { ns: Number(digits.padEnd(9, '0')), rest: v.slice(end) };
}

type Zone = { offset: number; rest: string } | { range: string } | { bad: true };

function readZone(v: string): Zone {
  if (v[0] === 'Z') return { offset: 0, rest: v.slice(1) };
  if (v.length < 6 || v[3] !== ':') return { bad: true };
  const hours = getnum(v.slice(1, 3), true);
  const minutes = hours && getnum(v.slice(4, 6), true);
  if (!hours || !minutes) return { bad: true };
  if (minutes.n > 60) return { range: 'time zone offset minute' };
  if (hours.n > 24) return { range: 'time zone offset hour' };
  if (v[0] !== '+' && v[0] !== '-') return { bad: true };
  const offset = (hours.n * 60 + minutes.n) * 60 * (v[0] === '-' ? -1 : 1);
  return { offset, rest: v.slice(6) };
}

function daysInMonth(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function sqlText(ns: bigint): string {
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  if (nanos < 0n) {
    nanos += NS_PER_SECOND;
    seconds -= 1n;
  }
  const total = Number(seconds);
  const days = Math.floor(total / 86_400);
  const [year, month, day] = civilFromDays(days);
  if (year < 1) return '-infinity';
  if (year > 9999) return 'infinity';
  const inDay = total - days * 86_400;
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(Math.floor(inDay / 3600))}:${two(Math.floor(inDay / 60) % 60)}:${two(inDay % 60)}`;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${time}.${String(nanos).padStart(9, '0')}Z`;
}
