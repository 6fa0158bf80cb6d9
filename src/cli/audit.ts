import type { Command } from 'commander';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { AuditEntry } from './api-types.js';
import {
  addOutputFlag,
  addPagingFlags,
  pageSize,
  parseIdFlag,
  parseTimeFlag,
  withExamples,
} from './flags.js';
import { localTime } from './format.js';
import type { Listing, OutputFormat } from './output.js';
import { cursorPages, printPages } from './pages.js';

type ListFlags = ApiFlags & {
  actor?: string;
  action?: string;
  target?: string;
  targetId?: string;
  since?: string;
  until?: string;
  afterId?: string;
  limit?: string;
  all?: boolean;
  output: OutputFormat;
};

/** What changed, in a line: the fields whose values differ between before and after. */
function changedFields(entry: AuditEntry): string {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => name !== 'updated_at' && JSON.stringify(before[name]) !== JSON.stringify(after[name]),
  );
  if (entry.before === null) return 'created';
  if (entry.after === null) return 'deleted';
  return names.join(', ');
}

/** Audit entries: a table for people, the API's objects for programs. */
const AUDIT: Listing<AuditEntry> = {
  noun: 'audit entries',
  table: [
    { header: 'TIME', cell: (e) => localTime(e.time) },
    { header: 'ACTOR', cell: (e) => e.actor.username },
    { header: 'ACTION', cell: (e) => e.action },
    { header: 'TARGET', cell: (e) => (e.target.id ? `${e.target.type} ${e.target.id}` : e.target.type) },
    { header: 'CHANGED', cell: (e, t) => t.colors.dim(changedFields(e)), flex: true },
    { header: 'FROM', cell: (e) => e.ip },
  ],
  csv: [
    { name: 'id', value: (e) => e.id },
    { name: 'time', value: (e) => e.time },
    { name: 'actor', value: (e) => e.actor.username },
    { name: 'token_id', value: (e) => e.actor.token_id },
    { name: 'action', value: (e) => e.action },
    { name: 'target_type', value: (e) => e.target.type },
    { name: 'target_id', value: (e) => e.target.id },
    { name: 'ip', value: (e) => e.ip },
    { name: 'user_agent', value: (e) => e.user_agent },
    { name: 'before', value: (e) => (e.before ? JSON.stringify(e.before) : '') },
    { name: 'after', value: (e) => (e.after ? JSON.stringify(e.after) : '') },
    { name: 'request_id', value: (e) => e.request_id },
  ],
};

/** The flags as the API's `q`: each one a `key:value` term, times quoted RFC 3339. */
function auditQuery(flags: ListFlags): string {
  const terms: string[] = [];
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') terms.push(`${key}:"${value}"`);
  };
  add('actor', flags.actor);
  add('action', flags.action);
  add('target', flags.target);
  add('target_id', flags.targetId);
  if (flags.since !== undefined) add('since', parseTimeFlag('--since', flags.since).toISOString());
  if (flags.until !== undefined) add('until', parseTimeFlag('--until', flags.until).toISOString());
  return terms.join(' ');
}

/** `aibridge audit list`: who changed what, newest first (owners and auditors). */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('The audit log: sign-ins and changes to tokens, users, prices, budgets, groups, providers');
  const list = audit
    .command('list')
    .description("List audit entries: a table, or the API's entries with -o json");
  addApiFlags(addOutputFlag(addPagingFlags(list, 1000, 100)));
  list
    .option('--actor <user>', 'who made the change: a username, user id, `me` or `system`')
    .option('--action <action>', 'e.g. user.create, or token.* for every token action')
    .option('--target <type>', 'what was changed: user, token, price, budget, group, provider, …')
    .option('--target-id <id>', 'the id (or name) of what was changed')
    .option('--since <time>', 'entries at or after this time (2h, 2026-12-01, RFC 3339)')
    .option('--until <time>', 'entries at or before this time')
    .option('--after-id <id>', 'start after this entry id (the last one of the previous page)');
  withExamples(list, [
    'aibridge audit list --since 24h',
    'aibridge audit list --actor alice --action "token.*"',
    'aibridge audit list --target provider --all -o ndjson | jq .after',
  ]);
  list.action(async (flags: ListFlags) => {
    const query = { q: auditQuery(flags), limit: pageSize(flags, 1000, 100) };
    const afterId = parseIdFlag(flags.afterId, 'after_id');
    const client = await ApiClient.connect(flags);
    const pages = cursorPages<AuditEntry>(client, {
      path: '/api/v2/audit',
      key: 'entries',
      cursorAfter: (row) => ({ after_id: row.id }),
      query,
      start: { after_id: afterId },
      onePage: !flags.all,
    });
    await printPages(pages, flags.output, AUDIT);
  });
}
