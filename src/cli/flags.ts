import { type Command, Option } from 'commander';
import { parseDurationText } from '../config.js';
import { goQuote } from '../search/go-quote.js';
import { parseUuid } from '../search/uuid.js';
import { UsageError } from './errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';

/**
 * Flags and values every command reads the same way: `--output`, `--limit`/`--all`, human
 * durations (`30d`) and times (`2h` ago, `2026-11-01`, RFC 3339). Each parser throws a
 * UsageError naming the flag, so a typo exits 2 before any request is made.
 */

/** Adds `-o, --output <format>` (table by default). */
export function addOutputFlag(command: Command, formats: readonly OutputFormat[] = OUTPUT_FORMATS): Command {
  return command.addOption(
    new Option('-o, --output <format>', 'output format').choices(formats as string[]).default(formats[0]),
  );
}

/** Adds `--limit` (a page size) and `--all` (follow the pages to the end). */
export function addPagingFlags(command: Command, max: number, fallback: number): Command {
  return command
    .option('--limit <n>', `how many to fetch, 1 to ${max} (default ${fallback}; a page size with --all)`)
    .option('--all', `fetch every page (pages of ${max} unless --limit says otherwise)`);
}

/** `--limit` checked client-side, with the reference CLI's wording. */
export function parseLimit(text: string, max: number): number {
  const limit = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= max)) throw new UsageError(`limit value must be between 1 and ${max}`);
  return limit;
}

/** The page size of a listing: `--limit`, else the default, else with `--all` the maximum. */
export function pageSize(flags: { limit?: string; all?: boolean }, max: number, fallback: number): number {
  if (flags.limit !== undefined) return parseLimit(flags.limit, max);
  return flags.all ? max : fallback;
}

/** A duration such as `30d`, `12h`, `90m` or `1w2d`, in milliseconds. */
export function parseDurationFlag(flag: string, text: string): number {
  const ms = parseDurationText(text);
  if (typeof ms === 'string') throw new UsageError(`invalid ${flag} ${goQuote(text)}: ${ms}`);
  return ms;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const RFC3339_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A point in time as people write it: a duration ago (`2h`, `3d`), a local date
 * (`2026-11-01`, its midnight), a local date and time (`2026-11-01 14:30`), or RFC 3339
 * (`2026-11-01T14:30:00Z`).
 */
export function parseTimeFlag(flag: string, text: string, now: Date = new Date()): Date {
  const invalid = () =>
    new UsageError(
      `invalid ${flag} ${goQuote(text)}: expected a duration ago (2h, 3d), a date (2026-11-01) or an RFC 3339 time`,
    );
  const value = text.trim();
  let time: Date;
  if (/^\d+(\.\d+)?[a-z]+/.test(value)) {
    const ms = parseDurationText(value);
    if (typeof ms === 'string') throw invalid();
    time = new Date(now.getTime() - ms);
  } else if (DATE.test(value) || LOCAL_DATETIME.test(value)) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = (DATE.exec(value) ??
      LOCAL_DATETIME.exec(value)) as string[];
    time = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    if (time.getMonth() !== Number(mo) - 1 || time.getDate() !== Number(d)) throw invalid();
  } else if (RFC3339_TIME.test(value)) {
    time = new Date(value.replace(' ', 'T'));
  } else {
    throw invalid();
  }
  if (Number.isNaN(time.getTime())) throw invalid();
  return time;
}

/** A UUID flag checked client-side, with the reference CLI's wording. */
export function parseIdFlag(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  const id = parseUuid(text);
  if (!id.ok) throw new UsageError(`parse ${name} filter value ${goQuote(text)}: ${id.error}`);
  return id.value;
}

/**
 * Adds `Examples:` to a command's help, as gh and kubectl show them; every command has some.
 */
export function withExamples(command: Command, examples: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}\n`);
}
