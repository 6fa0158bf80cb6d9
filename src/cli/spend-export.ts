import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { errorMessage } from '../errors.js';
import { goQuote } from '../search/go-quote.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import { CliError, UsageError } from './errors.js';
import { parseTimeFlag, withExamples } from './flags.js';

type SpendExportFlags = ApiFlags & {
  format: string;
  grain: string;
  since?: string;
  until?: string;
  initiator?: string;
  file?: string;
};

/** The `q` of a time range and an initiator, as `aibridge spend` and its export take them. */
export function spendQuery(flags: { since?: string; until?: string; initiator?: string }): string {
  const terms: string[] = [];
  if (flags.initiator) terms.push(`initiator:${goQuote(flags.initiator)}`);
  if (flags.since) terms.push(`started_after:"${parseTimeFlag('--since', flags.since).toISOString()}"`);
  if (flags.until) terms.push(`started_before:"${parseTimeFlag('--until', flags.until).toISOString()}"`);
  return terms.join(' ');
}

/**
 * `aibridge export spend`: the server's spend export (CSV or FinOps FOCUS 1.2) copied to
 * stdout or a file as it arrives, so a year of interceptions never sits in the CLI's memory
 * either; the file loads into the FinOps tools that read cloud bills.
 */
export function registerSpendExport(exporter: Command): void {
  const command = exporter
    .command('spend')
    .description('Export spend as CSV or FinOps FOCUS 1.2 (members: their own), streamed')
    .option('--format <format>', 'csv (aibridge columns) or focus (FinOps FOCUS 1.2)', 'csv')
    .option('--grain <grain>', 'interception (a row each) or hour (hour × user × model)', 'interception')
    .option('--since <time>', 'e.g. 30d, 2026-11-01 (default: everything)')
    .option('--until <time>', 'end of the range')
    .option('--initiator <user>', 'only this user (username or me)')
    .option('--file <path>', 'write to this file instead of stdout');
  addApiFlags(command);
  withExamples(command, [
    'aibridge export spend --format focus --since 30d --file focus.csv',
    'aibridge export spend --grain hour --since 7d | gzip > spend.csv.gz',
  ]);
  command.action(async (flags: SpendExportFlags) => {
    if (!['csv', 'focus'].includes(flags.format)) throw new UsageError('--format must be csv or focus');
    if (!['interception', 'hour'].includes(flags.grain))
      throw new UsageError('--grain must be interception or hour');
    const client = await ApiClient.connect(flags);
    const body = await client.download('/api/v2/aibridge/spend/export', {
      format: flags.format,
      grain: flags.grain,
      q: spendQuery(flags),
    });
    const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
    try {
      if (flags.file === undefined) await pipeline(source, process.stdout, { end: false });
      else await pipeline(source, createWriteStream(flags.file));
    } catch (error) {
      throw new CliError(`spend export stopped: ${errorMessage(error)}`);
    }
  });
}
