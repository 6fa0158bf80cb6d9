/** What stands in for a secret wherever one would have been written. */
const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secrets wherever they appear: API tokens, provider keys,
 * webhook secrets, passwords and the headers that carry them (the names the log's redaction
 * paths in log.ts blank out).
 */
const SECRET_FIELDS: readonly string[] = [
  'key',
  'token',
  'secret',
  'password',
  'authorization',
  'x-api-key',
  'coder-session-token',
];

const SECRET_NAMES = new Set(SECRET_FIELDS);

/**
 * A deep copy of `value` with every secret field's value replaced by the marker. The views
 * audited already show provider keys and header values as hints only; this is the second
 * guard, so a view that one day carries a secret still cannot write it to the audit log.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => [
      name,
      SECRET_NAMES.has(name.toLowerCase()) && v !== null && v !== undefined ? REDACTED : redactSecrets(v),
    ]),
  );
}
