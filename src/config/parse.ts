/**
 * The pieces every settings part uses: a setting's table entry, the reader that resolves a flag,
 * its env vars and its default, and the value parsers whose errors name the bad setting.
 */

/** A configuration value that cannot be used; the message names the setting. */
export class ConfigError extends Error {}

/** One setting: its env var(s), the first named in errors, and its default. Its flag is its key. */
interface Setting {
  env: string[];
  fallback: string | undefined;
}

/** A capability's settings, by flag name (as commander camel-cases them). */
export type SettingTable = Record<string, Setting>;

/** The command-line values a table's settings can take. */
export type FlagsOf<T extends SettingTable> = { [K in keyof T]?: string };

/** The environment, as `process.env` or a test's object. */
export type Env = Record<string, string | undefined>;

/** A setting's value and the name it came from (flag, env var or default), for error messages. */
export type Raw = { value: string | undefined; name: string };

/** Resolves one setting of table `T` to its raw value. */
export type Read<T extends SettingTable> = (key: keyof T & string) => Raw;

/** Reads flags (first), then env vars (non-empty, in order), then the default. */
export function settingReader<T extends SettingTable>(table: T, flags: FlagsOf<T>, env: Env): Read<T> {
  return (key) => {
    const setting = table[key] as Setting;
    const flagValue = flags[key];
    if (flagValue !== undefined) return { value: flagValue, name: `--${kebab(key)}` };
    for (const name of setting.env) {
      const value = env[name];
      if (value !== undefined && value !== '') return { value, name };
    }
    return { value: setting.fallback, name: setting.env[0] ?? key };
  };
}

function kebab(flag: string): string {
  return flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The error for a value that is present but unusable. */
export function invalid(raw: Raw, why: string): ConfigError {
  return new ConfigError(`invalid ${raw.name} ${JSON.stringify(raw.value ?? '')}: ${why}`);
}

/** The value, which must not be empty. */
export function required(raw: Raw): string {
  if (!raw.value) throw invalid(raw, 'must not be empty');
  return raw.value;
}

/** `parse(raw)` when a value is given, else undefined. */
export function optional<T>(raw: Raw, parse: (raw: Raw) => T): T | undefined {
  return raw.value ? parse(raw) : undefined;
}

/** One of `choices` exactly; the error lists them ("expected a or b"). */
export function parseChoice<T extends string>(raw: Raw, choices: readonly T[]): T {
  const value = required(raw);
  const choice = choices.find((c) => c === value);
  if (!choice) throw invalid(raw, `expected ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`);
  return choice;
}

/** An absolute http(s) URL, normalised by `URL`. */
export function parseHttpUrl(raw: Raw): string {
  const value = required(raw);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(raw, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(raw, 'must be http(s)');
  return url.toString();
}

/** A connection URL of one of `protocols`; the error shows `example` and never echoes a password. */
export function parseServiceUrl(raw: Raw, protocols: string[], example: string): string {
  const value = required(raw);
  try {
    if (!protocols.includes(new URL(value).protocol)) throw new Error();
  } catch {
    throw new ConfigError(`invalid ${raw.name}: expected ${example}`);
  }
  return value;
}

/** Hides the password in a connection URL, for printing the configuration. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'REDACTED';
    return parsed.toString();
  } catch {
    return '[unparseable URL]';
  }
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Durations like `60d`, `2w`, `1h30m`, `500ms`; a bare `0` means zero. */
export function parseDurationText(value: string): number | string {
  if (value.trim() === '0') return 0;
  const parts = value.trim().matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g);
  let total = 0;
  let consumed = '';
  for (const [whole, amount, unit] of parts) {
    const factor = DURATION_UNITS[unit ?? ''];
    if (factor === undefined) return `unknown unit "${unit}" (use ms, s, m, h, d or w)`;
    total += Number(amount) * factor;
    consumed += whole;
  }
  if (consumed === '' || consumed !== value.trim()) return 'expected a duration such as 60d, 12h or 90m';
  return Math.round(total);
}

/** A duration setting, in milliseconds. */
export function parseDuration(raw: Raw): number {
  const result = parseDurationText(required(raw));
  if (typeof result === 'string') throw invalid(raw, result);
  return result;
}

/** A whole number ≥ 0 (0 usually meaning "off"). */
export function parseCount(raw: Raw): number {
  const value = required(raw);
  if (!/^\d+$/.test(value)) throw invalid(raw, 'must be a whole number ≥ 0');
  return Number(value);
}

/** A whole number ≥ 1. */
export function parsePositive(raw: Raw): number {
  const count = parseCount(raw);
  if (count < 1) throw invalid(raw, 'must be at least 1');
  return count;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1_000_000,
  mib: 1024 ** 2,
  gb: 1_000_000_000,
  gib: 1024 ** 3,
};

/** A size such as `32MiB` or `1048576`, in bytes. */
export function parseSize(raw: Raw): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(required(raw));
  const factor = SIZE_UNITS[(match?.[2] ?? 'x').toLowerCase()];
  if (!match || factor === undefined) throw invalid(raw, 'expected a size such as 32MiB or 1048576');
  const bytes = Number(match[1]) * factor;
  if (bytes < 1) throw invalid(raw, 'must be at least 1 byte');
  return bytes;
}
