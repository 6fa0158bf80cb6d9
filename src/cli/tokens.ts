import type { Command } from 'commander';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '../auth/token.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { ApiKey } from './api-types.js';
import { addDatabaseFlags, type DatabaseFlags, offline, worksOnDatabase } from './database.js';
import { UsageError } from './errors.js';
import { addOutputFlag, parseDurationFlag, withExamples } from './flags.js';
import { localTime } from './format.js';
import { type Listing, type OutputFormat, printRows, writeText } from './output.js';

type Flags = ApiFlags & DatabaseFlags;

/** A user's tokens: metadata only, never the secret. */
const TOKENS: Listing<ApiKey> = {
  noun: 'tokens',
  table: [
    { header: 'ID', cell: (k) => k.id },
    { header: 'NAME', cell: (k) => k.token_name },
    { header: 'CREATED', cell: (k) => localTime(k.created_at) },
    { header: 'EXPIRES', cell: (k) => localTime(k.expires_at) },
    { header: 'LAST USED', cell: (k) => localTime(k.last_used) },
  ],
  csv: [
    'id',
    'user_id',
    'token_name',
    'lifetime_seconds',
    'created_at',
    'updated_at',
    'expires_at',
    'last_used',
  ].map((name) => ({ name, value: (k: ApiKey) => k[name as keyof ApiKey] })),
};

/**
 * `aibridge tokens list|create|revoke [user]`: your own tokens (or, for owners, anyone's)
 * through the REST API, or directly on the database like the users commands.
 */
export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description("Manage API tokens (yours; owners: anyone's)");
  withExamples(tokens, ['aibridge tokens list', 'aibridge tokens create --name ci --lifetime 90d']);

  const list = tokens
    .command('list [user]')
    .description("List a user's tokens (default: yours), never their secrets");
  addDatabaseFlags(addApiFlags(addOutputFlag(list)));
  withExamples(list, ['aibridge tokens list', 'aibridge tokens list alice -o json']);
  list.action(async (ref: string | undefined, flags: Flags & { output: OutputFormat }) => {
    const keys = (await worksOnDatabase(flags))
      ? await (await offline()).listTokens(flags, required(ref))
      : await (await ApiClient.connect(flags)).get<ApiKey[]>(`/api/v2/users/${userPath(ref)}/keys`);
    await printRows(keys, flags.output, TOKENS);
  });

  const create = tokens
    .command('create [user]')
    .description('Issue a token (default: for yourself) and print it, and nothing else, on stdout')
    .option('--name <name>', 'token name (default: generated)')
    .option('--lifetime <duration>', 'how long it is valid, e.g. 30d, 720h; at most 365d (default 30d)');
  addDatabaseFlags(addApiFlags(create));
  withExamples(create, [
    'aibridge tokens create --name laptop --lifetime 90d',
    'aibridge tokens create alice --name ci',
  ]);
  create.action(async (ref: string | undefined, flags: Flags & { name?: string; lifetime?: string }) => {
    const seconds = lifetimeSeconds(flags.lifetime);
    let token: string;
    if (await worksOnDatabase(flags)) {
      token = await (await offline()).createToken(flags, required(ref), flags.name, seconds);
    } else {
      const client = await ApiClient.connect(flags);
      const body = { token_name: flags.name, lifetime: `${seconds}s` };
      token = (await client.request<{ key: string }>('POST', `/api/v2/users/${userPath(ref)}/keys`, { body }))
        .key;
    }
    await writeText(process.stdout, `${token}\n`);
  });

  const revoke = tokens
    .command('revoke')
    .alias('delete')
    .argument('<user-or-token-id>', 'the user whose token it is (default: you), then the token id')
    .argument('[token-id]')
    .usage('[user] <token-id> [options]')
    .description('Revoke a token (by its id, the part before the "-"); it stops working at once');
  addDatabaseFlags(addApiFlags(revoke));
  withExamples(revoke, ['aibridge tokens revoke Xk3p9QwZ1a', 'aibridge tokens revoke alice Xk3p9QwZ1a']);
  revoke.action(async (first: string, second: string | undefined, flags: Flags) => {
    const [ref, id] = second === undefined ? [undefined, first] : [first, second];
    if (await worksOnDatabase(flags)) {
      await (await offline()).revokeToken(flags, required(ref), id);
    } else {
      const path = `/api/v2/users/${userPath(ref)}/keys/${encodeURIComponent(id)}`;
      await (await ApiClient.connect(flags)).request('DELETE', path);
    }
    process.stderr.write(`revoked token ${id}\n`);
  });
}

const userPath = (ref: string | undefined) => encodeURIComponent(ref ?? 'me');

function required(ref: string | undefined): string {
  if (ref === undefined)
    throw new UsageError('name the user: there is no "me" when working on the database directly');
  return ref;
}

function lifetimeSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  const seconds = Math.floor(parseDurationFlag('--lifetime', text) / 1000);
  if (seconds < 1 || seconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new UsageError(`invalid --lifetime "${text}": must be between 1s and 365d`);
  }
  return seconds;
}
