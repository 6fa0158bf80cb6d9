import type { Command } from 'commander';
import { goQuote } from '../search/go-quote.js';
import { parseGoTime, RFC3339 } from '../search/go-time.js';
import { parseUuid } from '../search/uuid.js';
import { CliError } from './output.js';

/** The reference CLI's filters of interceptions and sessions. */
export interface FilterFlags {
  initiator?: string;
  startedBefore?: string;
  startedAfter?: string;
  provider?: string;
  model?: string;
  client?: string;
  sessionId?: string;
}

/** Adds the filter flags every listing command shares. */
export function addFilterFlags(command: Command, what: string): Command {
  return command
    .option('--initiator <user>', `only ${what} of this user: a user id, username or "me"`)
    .option(
      '--started-before <time>',
      `only ${what} started before this RFC 3339 time, e.g. "2006-01-02T15:04:05Z07:00"`,
    )
    .option('--started-after <time>', `only ${what} started after this RFC 3339 time`)
    .option('--provider <provider>', `only ${what} from this provider`)
    .option('--model <model>', `only ${what} of this model`)
    .option('--client <client>', `only ${what} of this client ("Unknown" for none)`);
}

/**
 * The `q` the reference SDK builds from the flags: every value quoted, times checked here
 * first so a typo fails before any request.
 */
export function searchQuery(flags: FilterFlags): string {
  for (const [flag, value] of [
    ['started before', flags.startedBefore],
    ['started after', flags.startedAfter],
  ] as const) {
    if (value === undefined) continue;
    const parsed = parseGoTime(value, RFC3339);
    if (!parsed.ok) throw new CliError(`parse ${flag} filter value ${goQuote(value)}: ${parsed.error}`, 2);
  }
  const terms: Array<[string, string | undefined]> = [
    ['initiator', flags.initiator],
    ['started_before', flags.startedBefore],
    ['started_after', flags.startedAfter],
    ['provider', flags.provider],
    ['model', flags.model],
    ['client', flags.client],
    ['session_id', flags.sessionId],
  ];
  return terms
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}:${goQuote(value as string)}`)
    .join(' ');
}

/** A `--limit` checked client-side, as the reference CLI does. */
export function limitFlag(text: string, max: number): string {
  const limit = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= max)) throw new CliError(`limit value must be between 1 and ${max}`, 2);
  return String(limit);
}

/** A cursor id checked client-side. */
export function idFlag(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  const id = parseUuid(text);
  if (!id.ok) throw new CliError(`parse ${name} filter value ${goQuote(text)}: ${id.error}`, 2);
  return id.value;
}
