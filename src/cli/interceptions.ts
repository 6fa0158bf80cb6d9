import type { Command } from 'commander';
import { addFilterFlags, type FilterFlags, searchQuery } from './activity-flags.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { Interception } from './api-types.js';
import { addOutputFlag, addPagingFlags, pageSize, parseIdFlag, withExamples } from './flags.js';
import { INTERCEPTION_PAGES, INTERCEPTIONS } from './listings.js';
import type { OutputFormat } from './output.js';
import { cursorPages, printPages } from './pages.js';

type ListFlags = ApiFlags &
  FilterFlags & { afterId?: string; limit?: string; all?: boolean; output: OutputFormat };

/** `aibridge interceptions list`: the reference's command and filters, as a table or the API's JSON. */
export function registerInterceptionCommands(program: Command): void {
  const interceptions = program
    .command('interceptions')
    .description('Recorded interceptions (one per model request), newest first');
  withExamples(interceptions, [
    'aibridge interceptions list --since 2h',
    'aibridge interceptions list --all -o ndjson',
  ]);
  const list = interceptions
    .command('list')
    .description("List interceptions: a table, or the API's results array with -o json");
  addApiFlags(addOutputFlag(addPagingFlags(addFilterFlags(list, 'interceptions'), 1000, 100)));
  list.option('--after-id <id>', 'start after this interception id (the last one of the previous page)');
  withExamples(list, [
    'aibridge interceptions list --initiator me --since 2h',
    'aibridge interceptions list --provider anthropic --model claude-sonnet-4 --limit 20',
    'aibridge interceptions list --started-after 2026-03-01T00:00:00Z --after-id <last id> -o json',
    'aibridge interceptions list --client Codex --all -o ndjson | jq .model',
  ]);
  list.action(async (flags: ListFlags) => {
    const query = {
      q: searchQuery(flags),
      limit: pageSize(flags, 1000, 100),
    };
    const afterId = parseIdFlag(flags.afterId, 'after_id');
    const client = await ApiClient.connect(flags);
    const pages = cursorPages<Interception>(client, {
      ...INTERCEPTION_PAGES,
      query,
      start: { after_id: afterId },
      onePage: !flags.all,
    });
    await printPages(pages, flags.output, INTERCEPTIONS);
  });
}
