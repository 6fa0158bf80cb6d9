/**
 * How the dashboard writes numbers, times and names, in one place so every page agrees.
 * Times show in the browser's zone; `formatUtc` gives the exact instant for a tooltip.
 */

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

/** Token counts: exact up to 9,999, then 12.3k / 4.5M. */
export function formatCount(value: number): string {
  return Math.abs(value) < 10_000 ? whole.format(value) : compact.format(value);
}

/** The exact count with thousands separators, for tooltips and summaries. */
export function formatExact(value: number): string {
  return whole.format(value);
}

/** A duration in the largest two units that matter: "850 ms", "12 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Time between two RFC 3339 instants, formatted; "—" when either is missing. */
export function formatSpan(start: string | undefined, end: string | undefined | null): string {
  if (!start || !end) return '—';
  return formatDuration(Date.parse(end) - Date.parse(start));
}

/**
 * A local date and time, short: "May 4, 9:00 AM" this year, "May 4, 2025, 9:00 AM" before;
 * `now` and `timeZone` are for tests.
 */
export function formatLocal(iso: string, timeZone?: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const zone = timeZone ? { timeZone } : {};
  const year = (d: Date) => new Intl.DateTimeFormat('en', { year: 'numeric', ...zone }).format(d);
  return new Intl.DateTimeFormat('en', {
    month: 'short',
    day: 'numeric',
    ...(year(date) === year(now) ? {} : { year: 'numeric' }),
    hour: 'numeric',
    minute: '2-digit',
    ...zone,
  }).format(date);
}

/** How long ago, as people say it: "just now", "3 min ago", "5 h ago", "2 d ago"; `now` is for tests. */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** The same instant in UTC, to the second: "2026-05-04 09:00:00 UTC". */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The browser's IANA zone ("Europe/Paris"); the usage API buckets on its wall clock. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Up to two initials for an avatar placeholder: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters
    .map((word) => word?.[0]?.toUpperCase() ?? '')
    .join('')
    .slice(0, 2);
}

/** One line of text, cut at `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A tool call's arguments, pretty-printed when they are JSON, as they came otherwise. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * Integer micro-dollars as money in the viewer's locale: cents from a cent up, two significant
 * digits below ($0.0042, not $0.00); `—` for an unpriced (null) cost.
 */
export function formatCost(micros: number | null | undefined, locale?: string): string {
  if (micros === null || micros === undefined) return '—';
  const value = micros / 1_000_000;
  const options: Intl.NumberFormatOptions =
    value === 0 || Math.abs(value) >= 0.01
      ? { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }
      : { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 };
  return new Intl.NumberFormat(locale, options).format(value);
}
