/** A plain JSON object, for lenient reads of provider responses. */
export type JsonRecord = Record<string, unknown>;

/** Narrows an unknown JSON value to an object (not an array, not null). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `key`, or an empty one: lets readers chain through missing levels. */
export function record(value: unknown, key: string): JsonRecord {
  const inner = isRecord(value) ? value[key] : undefined;
  return isRecord(inner) ? inner : {};
}

/** A token counter: non-negative finite numbers only, anything else counts as 0. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An array, or an empty one. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Tool arguments as stored: compact JSON text when they parse (so the same call reads the same
 * whether it came streamed or blocking), the model's raw text when they do not, `{}` when empty.
 */
export function argumentsText(raw: string): string {
  if (raw.trim() === '') return '{}';
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}
