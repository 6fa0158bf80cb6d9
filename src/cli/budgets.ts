import type { Command } from 'commander';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { Budget } from './api-types.js';
import { UsageError } from './errors.js';
import { addOutputFlag, withExamples } from './flags.js';
import { localTime } from './format.js';
import { type Listing, type OutputFormat, printRows } from './output.js';

/** Budgets with this period's spend, as the API reports them. */
const BUDGETS: Listing<Budget> = {
  noun: 'budgets',
  table: [
    { header: 'SUBJECT', cell: (b) => b.subject },
    { header: 'LIMIT', cell: (b) => `$${b.limit_usd}/${b.period}` },
    { header: 'SCOPE', cell: (b) => [b.provider, b.model].filter(Boolean).join(' ') || 'all' },
    { header: 'SPENT', cell: (b) => `$${b.spent_usd}` },
    { header: 'RESERVED', cell: (b) => `$${b.reserved_usd}` },
    { header: 'REMAINING', cell: (b) => `$${b.remaining_usd}` },
    { header: 'RESETS', cell: (b) => localTime(b.resets_at) },
    { header: 'ID', cell: (b) => b.id },
  ],
  csv: (
    [
      'id',
      'subject',
      'limit_usd',
      'period',
      'provider',
      'model',
      'period_start',
      'resets_at',
      'spent_usd',
      'reserved_usd',
      'remaining_usd',
    ] as const
  ).map((name) => ({ name, value: (b: Budget) => b[name] })),
};

const PERIODS = ['day', 'week', 'month'];

/** `aibridge budgets list|set|delete`: owners set limits; anyone lists the budgets that apply to them. */
export function registerBudgetCommands(program: Command): void {
  const budgets = program.command('budgets').description('Spending limits per user, group or everyone');
  withExamples(budgets, [
    'aibridge budgets set user:alice 5.00 --period day',
    'aibridge budgets set group:platform 200 --period month --provider anthropic',
  ]);

  const list = budgets
    .command('list')
    .description('List budgets with this period’s spend (owners and auditors: all; --mine: yours)')
    .option('--mine', 'only the budgets that apply to you');
  addApiFlags(addOutputFlag(list));
  list.action(async (flags: ApiFlags & { output: OutputFormat; mine?: boolean }) => {
    const path = flags.mine ? '/api/v2/aibridge/budgets/me' : '/api/v2/aibridge/budgets';
    const found = await (await ApiClient.connect(flags)).get<{ budgets: Budget[] }>(path);
    await printRows(found.budgets, flags.output, BUDGETS);
  });

  const set = budgets
    .command('set <subject> <limit-usd>')
    .description('Create a budget (user:<name>, group:<name> or default), or change its limit')
    .requiredOption('--period <period>', `one of ${PERIODS.join(', ')}`)
    .option('--provider <provider>', 'count only this provider (openai, anthropic)')
    .option('--model <pattern>', 'count only this model, or a prefix ending in *');
  addApiFlags(addOutputFlag(set));
  set.action(
    async (
      subject: string,
      limit: string,
      flags: ApiFlags & { output: OutputFormat; period: string; provider?: string; model?: string },
    ) => {
      if (!PERIODS.includes(flags.period)) {
        throw new UsageError(`invalid --period "${flags.period}": expected one of ${PERIODS.join(', ')}`);
      }
      const body = {
        subject,
        limit_usd: limit,
        period: flags.period,
        provider: flags.provider,
        model: flags.model,
      };
      const budget = await (await ApiClient.connect(flags)).request<Budget>(
        'POST',
        '/api/v2/aibridge/budgets',
        {
          body,
        },
      );
      await printRows([budget], flags.output, BUDGETS);
    },
  );

  const remove = budgets.command('delete <id>').description('Delete a budget');
  addApiFlags(remove);
  remove.action(async (id: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request(
      'DELETE',
      `/api/v2/aibridge/budgets/${encodeURIComponent(id)}`,
    );
    process.stderr.write(`deleted budget ${id}\n`);
  });
}
