import stringWidth from 'string-width';

/**
 * How values read in tables and timelines: local times, compact numbers, one-line text cut
 * to a width. Machine output (json, ndjson, csv) never goes through here: it keeps the API's
 * exact values and RFC 3339 UTC times.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-28 14:03` in the local time zone (TZ), or '' for no time. */
export function localTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const date = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}${seconds ? `:${pad(t.getSeconds())}` : ''}`;
  return `${date} ${time}`;
}

/** 950, 12.3k, 4.5M: a token count at a glance. */
export function compactNumber(n: number): string {
  const abs = Math.abs(n);
  const scaled = (divisor: number, suffix: string) => {
    const value = n / divisor;
    return `${Math.abs(value) < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)}${suffix}`;
  };
  if (abs < 1000) return String(n);
  if (abs < 999_500) return scaled(1000, 'k');
  if (abs < 999_500_000) return scaled(1_000_000, 'M');
  return scaled(1_000_000_000, 'G');
}

/** 1,234,567 in the local convention. */
export function fullNumber(n: number): string {
  return n.toLocaleString();
}

/** `3m 12s`, `2h 5m`, `850ms`: how long something took. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Text on one line: runs of whitespace (newlines included) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts text to `width` terminal columns, ending in `…` when it was longer. */
export function truncate(text: string, width: number | undefined): string {
  if (width === undefined || stringWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  let out = '';
  let used = 0;
  for (const char of text) {
    used += stringWidth(char);
    if (used > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * Integer micro-dollars as dollars a person can read: cents for amounts of a dollar or more,
 * otherwise three significant digits (at least two decimals), so small amounts stay visible
 * ($0.00421, not $0.00; a $0.125 rate stays $0.125); `—` for an unpriced (null) cost.
 */
export function dollars(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return '—';
  const value = micros / 1_000_000;
  if (value === 0) return '$0.00';
  if (Math.abs(value) >= 1) {
    return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  const digits = Math.min(6, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(value)))));
  return `$${value.toFixed(digits).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}
