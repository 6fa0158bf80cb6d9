import type { Command } from 'commander';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { PriceBook, PriceOverride, Spend } from './api-types.js';
import { UsageError } from './errors.js';
import { addOutputFlag, parseTimeFlag, withExamples } from './flags.js';
import { dollars, fullNumber } from './format.js';
import { type Listing, type OutputFormat, printJson, printRows } from './output.js';
import { spendQuery } from './spend-export.js';

type SpendFlags = ApiFlags & { by: string; since?: string; until?: string; output: OutputFormat };
type SpendRow = Spend['rows'][number];
type ModelRow = PriceBook['models'][number];

const SPEND: Listing<SpendRow> = {
  noun: 'rows',
  table: [
    { header: 'KEY', cell: (r) => (r.provider ? `${r.key} (${r.provider})` : r.key), flex: true },
    { header: 'INTERCEPTIONS', cell: (r) => fullNumber(r.interceptions), align: 'right' },
    { header: 'COST', cell: (r) => dollars(r.cost_micros), align: 'right' },
    {
      header: 'UNPRICED',
      cell: (r) => (r.unpriced_interceptions ? fullNumber(r.unpriced_interceptions) : ''),
      align: 'right',
    },
  ],
  csv: [
    { name: 'key', value: (r) => r.key },
    { name: 'provider', value: (r) => r.provider },
    { name: 'user_id', value: (r) => r.user_id },
    { name: 'interceptions', value: (r) => r.interceptions },
    { name: 'cost_micros', value: (r) => r.cost_micros },
    { name: 'unpriced_interceptions', value: (r) => r.unpriced_interceptions },
  ],
};

const PRICES: Listing<ModelRow> = {
  noun: 'models',
  table: [
    { header: 'PROVIDER', cell: (m) => m.provider },
    { header: 'MODEL', cell: (m) => m.model, flex: true },
    { header: 'SOURCE', cell: (m) => m.source },
    { header: 'IN/MTOK', cell: (m) => dollars(m.rates.input), align: 'right' },
    { header: 'OUT/MTOK', cell: (m) => dollars(m.rates.output), align: 'right' },
    { header: 'CACHE READ', cell: (m) => dollars(m.rates.cache_read ?? m.rates.input), align: 'right' },
    { header: 'WRITE 5M', cell: (m) => dollars(m.rates.cache_write_5m ?? m.rates.input), align: 'right' },
    { header: 'WRITE 1H', cell: (m) => dollars(m.rates.cache_write_1h ?? m.rates.input * 2), align: 'right' },
  ],
  csv: [
    { name: 'provider', value: (m) => m.provider },
    { name: 'model', value: (m) => m.model },
    { name: 'source', value: (m) => m.source },
    { name: 'rates', value: (m) => m.rates },
  ],
};

/**
 * `aibridge spend` and `aibridge prices list|set|delete`: the spend report and the price book
 * over the REST API. Rates are given in dollars per million tokens (per call for web search)
 * and sent as integer micro-dollars.
 */
export function registerCostCommands(program: Command): void {
  const spend = program
    .command('spend')
    .description('Spend by user, model, provider, client or day (members: their own)')
    .option('--by <group>', 'user, model, provider, client or day', 'user')
    .option('--since <time>', 'e.g. 7d, 2026-11-01 (default: everything)')
    .option('--until <time>', 'end of the range');
  addApiFlags(addOutputFlag(spend, ['table', 'json', 'csv']));
  withExamples(spend, ['aibridge spend --since 7d', 'aibridge spend --by model --since 30d -o csv']);
  spend.action(async (flags: SpendFlags) => {
    if (!['user', 'model', 'provider', 'client', 'day'].includes(flags.by)) {
      throw new UsageError('--by must be user, model, provider, client or day');
    }
    const client = await ApiClient.connect(flags);
    const report = await client.get<Spend>('/api/v2/aibridge/spend', {
      group_by: flags.by,
      q: spendQuery(flags),
    });
    if (flags.output === 'json') return printJson(report);
    await printRows(report.rows, flags.output, SPEND);
    if (flags.output === 'table') {
      const unpriced = report.totals.unpriced_interceptions;
      process.stderr.write(
        `Total ${dollars(report.totals.cost_micros)} over ${fullNumber(report.totals.interceptions)} interceptions` +
          `${unpriced ? ` (${fullNumber(unpriced)} unpriced, not included: see aibridge prices list)` : ''}.\n`,
      );
    }
  });

  const prices = program.command('prices').description('The price book: package prices and owner overrides');
  const list = prices.command('list').description('Rates in force per model, overrides and unpriced models');
  addApiFlags(addOutputFlag(list, ['table', 'json', 'csv']));
  list.action(async (flags: ApiFlags & { output: OutputFormat }) => {
    const book = await (await ApiClient.connect(flags)).get<PriceBook>('/api/v2/aibridge/prices');
    if (flags.output === 'json') return printJson(book);
    await printRows(book.models, flags.output, PRICES);
    if (flags.output === 'table') {
      process.stderr.write(
        `Prices from ${book.package.name} ${book.package.version}; ${book.overrides.length} overrides.\n`,
      );
      for (const u of book.unpriced) {
        process.stderr.write(
          `Unpriced: ${u.provider} ${u.model} (${fullNumber(u.interceptions)} interceptions): aibridge prices set ${u.model} --in <$/MTok> --out <$/MTok>\n`,
        );
      }
    }
  });

  const set = prices
    .command('set <model>')
    .description('Add an override for a model from a time on (owners); rates in $ per million tokens')
    .requiredOption('--in <dollars>', 'input, $ per million tokens')
    .requiredOption('--out <dollars>', 'output (reasoning included), $ per million tokens')
    .option('--cache-read <dollars>', 'cache reads (default: input)')
    .option('--cache-write-5m <dollars>', '5-minute cache writes (default: input)')
    .option('--cache-write-1h <dollars>', '1-hour cache writes (default: twice input)')
    .option('--web-search <dollars>', '$ per web-search call (default 0)')
    .option('--provider <provider>', 'anthropic or openai (default: any)')
    .option('--from <time>', 'effective from (default: now)')
    .option('--note <text>', 'why (e.g. the contract)');
  addApiFlags(addOutputFlag(set, ['table', 'json']));
  withExamples(set, [
    'aibridge prices set claude-sonnet-4-5 --in 2.4 --out 12 --cache-read 0.24',
    'aibridge prices set my-llama --provider openai --in 0 --out 0.5 --from 2026-12-01',
  ]);
  set.action(
    async (
      model: string,
      flags: ApiFlags & Record<string, string | undefined> & { output: OutputFormat },
    ) => {
      const rate = (flag: string, text: string | undefined): number | undefined => {
        if (text === undefined) return undefined;
        const value = Number(text);
        if (!Number.isFinite(value) || value < 0)
          throw new UsageError(`${flag} must be a non-negative number of dollars`);
        return Math.round(value * 1_000_000);
      };
      const body = {
        model,
        provider: flags.provider ?? null,
        ...(flags.from ? { effective_from: parseTimeFlag('--from', flags.from).toISOString() } : {}),
        note: flags.note ?? '',
        rates: {
          input: rate('--in', flags.in),
          output: rate('--out', flags.out),
          cache_read: rate('--cache-read', flags.cacheRead),
          cache_write_5m: rate('--cache-write-5m', flags.cacheWrite5m),
          cache_write_1h: rate('--cache-write-1h', flags.cacheWrite1h),
          web_search: rate('--web-search', flags.webSearch),
        },
      };
      const created = await (await ApiClient.connect(flags)).request<PriceOverride>(
        'POST',
        '/api/v2/aibridge/prices',
        { body },
      );
      if (flags.output === 'json') return printJson(created);
      process.stdout.write(`Override ${created.id}: ${created.model} from ${created.effective_from}.\n`);
    },
  );

  const remove = prices.command('delete <id>').description('Delete an override (owners)');
  addApiFlags(remove);
  remove.action(async (id: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request(
      'DELETE',
      `/api/v2/aibridge/prices/${encodeURIComponent(id)}`,
    );
    process.stdout.write(`Deleted override ${id}.\n`);
  });
}
