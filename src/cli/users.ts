import type { Command } from 'commander';
import { ROLES } from '../auth/roles.js';
import type { Role } from '../db/schema/index.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { User } from './api-types.js';
import { addDatabaseFlags, type DatabaseFlags, offline, worksOnDatabase } from './database.js';
import { UsageError } from './errors.js';
import { addOutputFlag, addPagingFlags, pageSize, withExamples } from './flags.js';
import { localTime } from './format.js';
import { type Listing, type OutputFormat, printRows, writeText } from './output.js';
import { offsetPages, printPages } from './pages.js';

type Flags = ApiFlags & DatabaseFlags;
type ListFlags = Flags & {
  search?: string;
  role?: string;
  limit?: string;
  all?: boolean;
  output: OutputFormat;
};

/** Users, by username as the API lists them. */
const USERS: Listing<User> = {
  noun: 'users',
  table: [
    { header: 'USERNAME', cell: (u) => u.username },
    { header: 'NAME', cell: (u) => u.name },
    { header: 'ROLE', cell: (u) => u.role },
    { header: 'CREATED', cell: (u) => localTime(u.created_at) },
    { header: 'LAST SEEN', cell: (u) => localTime(u.last_seen_at) },
    { header: 'ID', cell: (u) => u.id },
  ],
  csv: [
    'id',
    'username',
    'name',
    'avatar_url',
    'role',
    'status',
    'created_at',
    'updated_at',
    'last_seen_at',
  ].map((name) => ({ name, value: (u: User) => u[name as keyof User] })),
};

/**
 * `aibridge users list|create|delete`: through the REST API, or directly on the database
 * (`--database`, or when no server is configured: the bootstrap before anyone can log in).
 */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('Manage users (owners; auditors may list)');
  withExamples(users, ['aibridge users list', 'aibridge users create alice --name "Alice Martin"']);

  const list = users
    .command('list')
    .description('List users')
    .option('--search <text>', 'only users whose username or name contains this')
    .option('--role <role>', `only users of this role: ${ROLES.join(', ')}`);
  addDatabaseFlags(addApiFlags(addOutputFlag(addPagingFlags(list, 1000, 100))));
  withExamples(list, [
    'aibridge users list',
    'aibridge users list --role owner -o json',
    'aibridge users list --all -o csv',
  ]);
  list.action(async (flags: ListFlags) => {
    const role = flags.role === undefined ? undefined : roleFlag(flags.role);
    const limit = pageSize(flags, 1000, 100);
    if (await worksOnDatabase(flags)) {
      const found = await (await offline()).listUsers(flags, {
        search: flags.search,
        role,
        limit: flags.all ? Number.MAX_SAFE_INTEGER : limit,
      });
      return printRows(found, flags.output, USERS);
    }
    const q = [flags.search, role ? `role:${role}` : undefined].filter(Boolean).join(' ');
    const pages = offsetPages<User>(await ApiClient.connect(flags), {
      path: '/api/v2/users',
      query: { q, limit },
      key: 'users',
      onePage: !flags.all,
    });
    await printPages(pages, flags.output, USERS);
  });

  const create = users
    .command('create <username>')
    .description('Create a user and print its first API token (and nothing else) on stdout')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'member')
    .option('--name <name>', 'display name', '');
  addDatabaseFlags(addApiFlags(create));
  withExamples(create, [
    'aibridge users create alice --name "Alice Martin"',
    'aibridge users create ops --role owner --database   # bootstrap, before the server runs',
  ]);
  create.action(async (username: string, flags: Flags & { role: string; name: string }) => {
    const db = await offline();
    if (!db.validUsername(username)) {
      throw new UsageError(`invalid username "${username}": letters, digits and single hyphens, at most 32`);
    }
    const role = roleFlag(flags.role);
    const token = (await worksOnDatabase(flags))
      ? await db.createUser(flags, username, flags.name, role)
      : await createOverApi(await ApiClient.connect(flags), username, flags.name, role);
    await writeText(process.stdout, `${token}\n`);
  });

  const remove = users
    .command('delete <user>')
    .description('Delete a user (by username or id); their tokens stop working at once');
  addDatabaseFlags(addApiFlags(remove));
  withExamples(remove, ['aibridge users delete alice']);
  remove.action(async (ref: string, flags: Flags) => {
    if (await worksOnDatabase(flags)) await (await offline()).deleteUser(flags, ref);
    else await (await ApiClient.connect(flags)).request('DELETE', `/api/v2/users/${encodeURIComponent(ref)}`);
    process.stderr.write(`deleted user ${ref}\n`);
  });
}

function roleFlag(text: string): Role {
  if (!(ROLES as string[]).includes(text)) {
    throw new UsageError(`invalid --role "${text}": expected one of ${ROLES.join(', ')}`);
  }
  return text as Role;
}

/** Creates the user, then its first token, as the dashboard does. */
async function createOverApi(client: ApiClient, username: string, name: string, role: Role): Promise<string> {
  const user = await client.request<User>('POST', '/api/v2/users', { body: { username, name, role } });
  const key = await client.request<{ key: string }>('POST', `/api/v2/users/${user.id}/keys`, { body: {} });
  return key.key;
}
