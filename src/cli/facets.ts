import type { Command } from 'commander';
import { goQuote } from '../search/go-quote.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import { addOutputFlag, addPagingFlags, pageSize, withExamples } from './flags.js';
import type { Listing, OutputFormat } from './output.js';
import { offsetPages, printPages } from './pages.js';

type Flags = ApiFlags & { limit?: string; all?: boolean; output: OutputFormat };

/** `aibridge models` and `aibridge clients`: the distinct values seen in the interceptions you may read. */
export function registerFacetCommands(program: Command): void {
  for (const [plural, singular, example] of [
    ['models', 'model', 'claude'],
    ['clients', 'client', 'Claude'],
  ] as const) {
    const listing: Listing<string> = {
      noun: plural,
      table: [{ header: singular.toUpperCase(), cell: (value) => value }],
      csv: [{ name: singular, value: (value) => value }],
    };
    const command = program
      .command(`${plural} [prefix]`)
      .description(
        `List the ${plural} seen in the interceptions you may read, ascending${singular === 'client' ? ' (none recorded = Unknown)' : ''}`,
      );
    addApiFlags(addOutputFlag(addPagingFlags(command, 1000, 100)));
    withExamples(command, [`aibridge ${plural}`, `aibridge ${plural} ${example} -o json`]);
    command.action(async (prefix: string | undefined, flags: Flags) => {
      const pages = offsetPages<string>(await ApiClient.connect(flags), {
        path: `/api/v2/aibridge/${plural}`,
        query: {
          q: prefix === undefined ? undefined : `${singular}:${goQuote(prefix)}`,
          limit: pageSize(flags, 1000, 100),
        },
        onePage: !flags.all,
      });
      await printPages(pages, flags.output, listing);
    });
  }
}
