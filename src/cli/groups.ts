import type { Command } from 'commander';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { Group } from './api-types.js';
import { UsageError } from './errors.js';
import { addOutputFlag, withExamples } from './flags.js';
import { localTime } from './format.js';
import { type Listing, type OutputFormat, printRows } from './output.js';

/** Groups, by name, with their members' usernames. */
const GROUPS: Listing<Group> = {
  noun: 'groups',
  table: [
    { header: 'NAME', cell: (g) => g.name },
    { header: 'MEMBERS', cell: (g) => g.members.map((m) => m.username).join(', ') },
    { header: 'REQ/MIN', cell: (g) => perMinute(g.requests_per_minute) },
    { header: 'TOKENS/MIN', cell: (g) => perMinute(g.tokens_per_minute) },
    { header: 'CREATED', cell: (g) => localTime(g.created_at) },
    { header: 'ID', cell: (g) => g.id },
  ],
  csv: [
    { name: 'id', value: (g) => g.id },
    { name: 'name', value: (g) => g.name },
    { name: 'members', value: (g) => g.members.map((m) => m.username).join(' ') },
    { name: 'requests_per_minute', value: (g) => g.requests_per_minute ?? '' },
    { name: 'tokens_per_minute', value: (g) => g.tokens_per_minute ?? '' },
    { name: 'created_at', value: (g) => g.created_at },
    { name: 'updated_at', value: (g) => g.updated_at },
  ],
};

const perMinute = (value: number | null) => (value === null ? '-' : value.toLocaleString('en-US'));

/** A limit flag's value: a whole number ≥ 1, or `none` to clear the limit. */
function limitValue(flag: string, raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'none') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`${flag} takes a whole number ≥ 1, or none to clear it (got ${raw})`);
  }
  return Number(raw);
}

const path = (group: string, user?: string) =>
  `/api/v2/groups/${encodeURIComponent(group)}${user === undefined ? '' : `/members/${encodeURIComponent(user)}`}`;

/**
 * `aibridge groups list|create|rename|limits|delete|add|remove`, through the REST API: owners manage
 * groups; anyone lists the groups they are in.
 */
export function registerGroupCommands(program: Command): void {
  const groups = program
    .command('groups')
    .description('Manage groups of users (owners; members list theirs)');
  withExamples(groups, ['aibridge groups create platform', 'aibridge groups add platform alice bob']);

  const list = groups.command('list').description('List groups and their members');
  addApiFlags(addOutputFlag(list));
  list.action(async (flags: ApiFlags & { output: OutputFormat }) => {
    const found = await (await ApiClient.connect(flags)).get<{ groups: Group[] }>('/api/v2/groups');
    await printRows(found.groups, flags.output, GROUPS);
  });

  const create = groups.command('create <name>').description('Create a group');
  addApiFlags(create);
  create.action(async (name: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request('POST', '/api/v2/groups', { body: { name } });
    process.stderr.write(`created group ${name}\n`);
  });

  const rename = groups.command('rename <group> <name>').description('Rename a group');
  addApiFlags(rename);
  rename.action(async (group: string, name: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request('PUT', path(group), { body: { name } });
    process.stderr.write(`renamed group ${group} to ${name}\n`);
  });

  const limits = groups
    .command('limits <group>')
    .description("Set or clear a group's shared rate limits (a pool all its members draw from)")
    .option('--requests-per-minute <n>', 'gateway requests per minute for the whole group (none: clear)')
    .option('--tokens-per-minute <n>', 'input + output tokens per minute for the whole group (none: clear)');
  withExamples(limits, [
    'aibridge groups limits platform --requests-per-minute 600 --tokens-per-minute 2000000',
    'aibridge groups limits platform --tokens-per-minute none',
  ]);
  addApiFlags(limits);
  limits.action(
    async (group: string, flags: ApiFlags & { requestsPerMinute?: string; tokensPerMinute?: string }) => {
      const body = {
        requests_per_minute: limitValue('--requests-per-minute', flags.requestsPerMinute),
        tokens_per_minute: limitValue('--tokens-per-minute', flags.tokensPerMinute),
      };
      const changed = await (await ApiClient.connect(flags)).request<Group>('PATCH', path(group), { body });
      const shown = (value: number | null) => (value === null ? 'none' : String(value));
      process.stderr.write(
        `group ${changed.name}: ${shown(changed.requests_per_minute)} requests/min, ${shown(changed.tokens_per_minute)} tokens/min\n`,
      );
    },
  );

  const remove = groups.command('delete <group>').description('Delete a group (its members stay)');
  addApiFlags(remove);
  remove.action(async (group: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request('DELETE', path(group));
    process.stderr.write(`deleted group ${group}\n`);
  });

  const add = groups.command('add <group> <users...>').description('Add users to a group');
  addApiFlags(add);
  add.action(async (group: string, users: string[], flags: ApiFlags) => {
    const client = await ApiClient.connect(flags);
    for (const user of users) await client.request('PUT', path(group, user));
    process.stderr.write(`added ${users.join(', ')} to ${group}\n`);
  });

  const drop = groups.command('remove <group> <users...>').description('Remove users from a group');
  addApiFlags(drop);
  drop.action(async (group: string, users: string[], flags: ApiFlags) => {
    const client = await ApiClient.connect(flags);
    for (const user of users) await client.request('DELETE', path(group, user));
    process.stderr.write(`removed ${users.join(', ')} from ${group}\n`);
  });
}
