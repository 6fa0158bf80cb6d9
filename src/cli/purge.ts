import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import { CliError, UsageError } from './errors.js';
import { addOutputFlag, parseDurationFlag, withExamples } from './flags.js';
import { fullNumber, localTime } from './format.js';
import { printJson } from './output.js';

type PurgeFlags = ApiFlags & { olderThan: string; dryRun?: boolean; yes?: boolean; output: 'table' | 'json' };

/** What POST /api/v2/aibridge/admin/purge answers. */
interface PurgeAnswer {
  cutoff: string;
  dry_run: boolean;
  interceptions: number;
  rows: number;
  done: boolean;
}

/**
 * `aibridge purge --older-than 30d`: deletes old interceptions now, as the retention job
 * would, through the owners' admin endpoint. It counts first and asks (`--yes` skips both;
 * it is needed when nobody can answer), then calls until the server says it is done, each
 * call bounded.
 */
export function registerPurgeCommand(program: Command): void {
  const purge = program
    .command('purge')
    .description('Delete interceptions older than a duration, with everything recorded under them (owners)')
    .requiredOption('--older-than <duration>', 'e.g. 30d, 12w, 48h: interceptions that started longer ago go')
    .option('--dry-run', 'only count what would be deleted')
    .option('-y, --yes', 'do not ask for confirmation (needed when stdin is not a terminal)');
  addApiFlags(addOutputFlag(purge, ['table', 'json']));
  withExamples(purge, ['aibridge purge --older-than 30d --dry-run', 'aibridge purge --older-than 90d --yes']);
  purge.action(async (flags: PurgeFlags) => {
    const ms = parseDurationFlag('--older-than', flags.olderThan);
    if (ms <= 0) throw new UsageError('--older-than must be longer than 0');
    if (!flags.dryRun && !flags.yes && !process.stdin.isTTY) {
      throw new UsageError('refusing to purge without confirmation: pass --yes (or --dry-run to count)');
    }
    const client = await ApiClient.connect(flags);
    const path = '/api/v2/aibridge/admin/purge';
    let cutoff: { older_than: string } | { before: string } = { older_than: flags.olderThan };
    if (flags.dryRun || !flags.yes) {
      const counted = await client.request<PurgeAnswer>('POST', path, { body: { ...cutoff, dry_run: true } });
      if (flags.dryRun) return report(counted, flags.output);
      if (!(await confirm(counted))) throw new CliError('purge cancelled');
      cutoff = { before: counted.cutoff };
    }
    // Each call deletes for a bounded time; the first one's cutoff holds for the ones after.
    const total: PurgeAnswer = { cutoff: '', dry_run: false, interceptions: 0, rows: 0, done: false };
    while (!total.done) {
      const step = await client.request<PurgeAnswer>('POST', path, { body: cutoff });
      cutoff = { before: step.cutoff };
      Object.assign(total, { cutoff: step.cutoff, done: step.done });
      total.interceptions += step.interceptions;
      total.rows += step.rows;
      if (process.stderr.isTTY && !step.done) {
        process.stderr.write(`  deleted ${fullNumber(total.interceptions)} interceptions so far…\n`);
      }
    }
    await report(total, flags.output);
  });
}

async function confirm(counted: PurgeAnswer): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Delete ${fullNumber(counted.interceptions)} interceptions (${fullNumber(counted.rows)} rows) that started before ${localTime(counted.cutoff, true)}? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

async function report(answer: PurgeAnswer, output: 'table' | 'json'): Promise<void> {
  if (output === 'json') return printJson(answer);
  const what = `${fullNumber(answer.interceptions)} interceptions (${fullNumber(answer.rows)} rows with their records) that started before ${localTime(answer.cutoff, true)}`;
  process.stdout.write(answer.dry_run ? `Would delete ${what}.\n` : `Deleted ${what}.\n`);
}
