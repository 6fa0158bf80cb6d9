import { type Command, Option } from 'commander';
import { goQuote } from '../search/go-quote.js';
import { parseGoTime, RFC3339 } from '../search/go-time.js';
import { UsageError } from './errors.js';
import { parseTimeFlag } from './flags.js';

/** The filters of interceptions and sessions: the reference's flags plus human times and raw `q`. */
export interface FilterFlags {
  initiator?: string;
  startedBefore?: string;
  startedAfter?: string;
  since?: string;
  until?: string;
  provider?: string;
  model?: string;
  client?: string;
  sessionId?: string;
  q?: string;
}

/** Adds the filter flags every listing and export of activity shares. */
export function addFilterFlags(command: Command, what: string): Command {
  return command
    .option('--initiator <user>', `only ${what} of this user: a user id, username or "me"`)
    .option('--provider <provider>', `only ${what} from this provider (openai, anthropic)`)
    .option('--model <model>', `only ${what} of this model`)
    .option('--client <client>', `only ${what} of this client ("Unknown" for none)`)
    .addOption(
      new Option(
        '--since <time>',
        `only ${what} started at or after: 2h, 3d (ago), 2026-11-01, RFC 3339`,
      ).conflicts('startedAfter'),
    )
    .addOption(
      new Option(
        '--until <time>',
        `only ${what} started at or before: 2h, 3d (ago), 2026-11-01, RFC 3339`,
      ).conflicts('startedBefore'),
    )
    .option(
      '--started-after <time>',
      'the reference flag: an RFC 3339 time, e.g. "2006-01-02T15:04:05Z07:00"',
    )
    .option('--started-before <time>', 'the reference flag: an RFC 3339 time')
    .option('--q <query>', "raw search terms added to the flags' (key:value, as the API's q)");
}

/**
 * The `q` the reference SDK builds from the flags, every value quoted; times are checked
 * here first (the reference flags strictly as RFC 3339, `--since`/`--until` as people write
 * them) so a typo fails before any request.
 */
export function searchQuery(flags: FilterFlags, now: Date = new Date()): string {
  for (const [flag, value] of [
    ['started before', flags.startedBefore],
    ['started after', flags.startedAfter],
  ] as const) {
    if (value === undefined) continue;
    const parsed = parseGoTime(value, RFC3339);
    if (!parsed.ok) throw new UsageError(`parse ${flag} filter value ${goQuote(value)}: ${parsed.error}`);
  }
  const human = (flag: string, value: string | undefined) =>
    value === undefined ? undefined : parseTimeFlag(flag, value, now).toISOString();
  const after = human('--since', flags.since) ?? flags.startedAfter;
  const before = human('--until', flags.until) ?? flags.startedBefore;
  if (flags.since !== undefined && flags.until !== undefined && after !== undefined && before !== undefined) {
    if (Date.parse(after) >= Date.parse(before)) throw new UsageError('--since must be earlier than --until');
  }
  const terms: Array<[string, string | undefined]> = [
    ['initiator', flags.initiator],
    ['started_before', before],
    ['started_after', after],
    ['provider', flags.provider],
    ['model', flags.model],
    ['client', flags.client],
    ['session_id', flags.sessionId],
  ];
  const built = terms
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}:${goQuote(value as string)}`);
  return [...built, flags.q?.trim() ?? ''].filter(Boolean).join(' ');
}
