import type { Command } from 'commander';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import type { ProviderInstanceView } from './api-types.js';
import { UsageError } from './errors.js';
import { addOutputFlag, withExamples } from './flags.js';
import { localTime } from './format.js';
import { type Listing, type OutputFormat, printRows } from './output.js';
import { registerProviderKeyCommands } from './provider-keys.js';

/** Provider instances: keys as hints only, as the API shows them. */
const PROVIDERS: Listing<ProviderInstanceView> = {
  noun: 'providers',
  table: [
    { header: 'NAME', cell: (p) => p.name },
    { header: 'TYPE', cell: (p) => p.type },
    { header: 'BASE URL', cell: (p) => p.base_url },
    { header: 'KEYS', cell: (p) => p.keys.map((k) => k.hint).join(' ') },
    { header: 'BYOK', cell: (p) => p.byok },
    { header: 'UPDATED', cell: (p) => localTime(p.updated_at) },
  ],
  csv: ['name', 'type', 'base_url', 'byok', 'env_managed', 'created_at', 'updated_at'].map((name) => ({
    name,
    value: (p: ProviderInstanceView) => p[name as keyof ProviderInstanceView],
  })),
};

interface ChangeFlags extends ApiFlags {
  type?: string;
  baseUrl?: string;
  key?: string[];
  header?: string[];
  model?: string[];
  byok?: string;
  apiVersion?: string;
}

/** `--key` may repeat: each occurrence adds one key. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function addChangeFlags(command: Command): Command {
  return command
    .option('--type <type>', 'openai, anthropic, openai-compatible or azure-openai')
    .option('--base-url <url>', 'upstream base URL (OpenAI-style URLs end in /v1)')
    .option('--key <key>', 'an upstream key (repeat for a pool; replaces all keys)', collect)
    .option('--header <name=value>', 'an extra upstream header (repeat; replaces all)', collect)
    .option('--model <model>', 'allow only this model (repeat; replaces the allowlist)', collect)
    .option('--byok <policy>', 'central, byok-allowed or byok-only')
    .option('--api-version <version>', 'Azure OpenAI: api-version added when clients send none');
}

/** The request body the flags describe; only what was given. */
function changeBody(flags: ChangeFlags): Record<string, unknown> {
  const headers = flags.header?.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`invalid --header "${pair}": expected name=value`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
  return {
    ...(flags.type !== undefined && { type: flags.type }),
    ...(flags.baseUrl !== undefined && { base_url: flags.baseUrl }),
    ...(flags.key !== undefined && { keys: flags.key }),
    ...(headers !== undefined && { headers: Object.fromEntries(headers) }),
    ...(flags.model !== undefined && { models: flags.model }),
    ...(flags.byok !== undefined && { byok: flags.byok }),
    ...(flags.apiVersion !== undefined && { settings: { api_version: flags.apiVersion } }),
  };
}

/**
 * `aibridge providers list|create|update|delete|keys`: the provider instances (owners), through
 * the REST API; a change serves on every replica within seconds.
 */
export function registerProviderCommands(program: Command): void {
  const providers = program
    .command('providers')
    .description('Manage provider instances and their keys (owners)');
  withExamples(providers, [
    'aibridge providers list',
    'aibridge providers create openrouter --type openai-compatible --base-url https://openrouter.ai/api/v1 --key sk-or-…',
  ]);

  const list = providers.command('list').description('List provider instances (keys as hints only)');
  addApiFlags(addOutputFlag(list));
  list.action(async (flags: ApiFlags & { output: OutputFormat }) => {
    const rows = await (await ApiClient.connect(flags)).get<ProviderInstanceView[]>(
      '/api/v2/aibridge/providers',
    );
    await printRows(rows, flags.output, PROVIDERS);
  });

  const create = providers
    .command('create <name>')
    .description('Add a provider instance (route /api/v2/aibridge/<name>/…)');
  addApiFlags(addChangeFlags(create));
  create.action(async (name: string, flags: ChangeFlags) => {
    if (!flags.type || !flags.baseUrl) throw new UsageError('providers create needs --type and --base-url');
    const body = { name, keys: [], ...changeBody(flags) };
    await (await ApiClient.connect(flags)).request('POST', '/api/v2/aibridge/providers', { body });
    process.stderr.write(`created provider ${name}\n`);
  });

  const update = providers.command('update <name>').description('Change a provider instance');
  addApiFlags(addChangeFlags(update));
  withExamples(update, ['aibridge providers update openai --key sk-new-1 --key sk-new-2']);
  update.action(async (name: string, flags: ChangeFlags) => {
    const body = changeBody(flags);
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one flag');
    await (await ApiClient.connect(flags)).request(
      'PATCH',
      `/api/v2/aibridge/providers/${encodeURIComponent(name)}`,
      {
        body,
      },
    );
    process.stderr.write(`updated provider ${name}\n`);
  });

  const remove = providers.command('delete <name>').description('Remove a provider instance');
  addApiFlags(remove);
  remove.action(async (name: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request(
      'DELETE',
      `/api/v2/aibridge/providers/${encodeURIComponent(name)}`,
    );
    process.stderr.write(`deleted provider ${name}\n`);
  });

  registerProviderKeyCommands(providers);
}
