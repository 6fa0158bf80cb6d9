/**
 * Date ranges for the filter bar and the usage page. Presets are kept relative in the URL
 * (`range=7d`) so a bookmark keeps meaning "the last week"; the API gets absolute times.
 */

/** A preset name, or "custom" for explicit from/to times in the `q` string. */
export type RangePreset = 'all' | '24h' | '7d' | '30d' | '90d';

/** The presets in the order the picker lists them. */
export const RANGE_PRESETS: Array<{ value: RangePreset; label: string; ms: number }> = [
  { value: 'all', label: 'Any time', ms: 0 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: '90d', label: 'Last 90 days', ms: 90 * 86_400_000 },
];

/** The usage page's range when the URL names none: the week a team lead looks back on. */
export const USAGE_DEFAULT_RANGE: RangePreset = '7d';

/** Reads a preset from the URL, falling back when it is missing or unknown. */
export function parsePreset(value: string | null, fallback: RangePreset): RangePreset {
  return RANGE_PRESETS.some((preset) => preset.value === value) ? (value as RangePreset) : fallback;
}

/** The `started_after` a preset means at `now`, or undefined for "any time". */
export function presetStart(preset: RangePreset, now: number): string | undefined {
  const ms = RANGE_PRESETS.find((p) => p.value === preset)?.ms ?? 0;
  return ms ? new Date(now - ms).toISOString() : undefined;
}

/** Hours for a day, days beyond: enough points to see a shape, few enough to read and draw fast. */
export function defaultBucket(preset: RangePreset): 'hour' | 'day' {
  return preset === '24h' ? 'hour' : 'day';
}

/** `<input type="datetime-local">` value (local wall clock) ↔ RFC 3339 instant. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The inverse of localInputToIso, for showing a stored instant in the input. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
