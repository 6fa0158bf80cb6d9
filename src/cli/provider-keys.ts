import password from '@inquirer/password';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { AddedProviderKeyView, ProviderKeyView } from '../api/views/providers.js';
import { errorMessage } from '../errors.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import { CliError, UsageError } from './errors.js';
import { addOutputFlag, withExamples } from './flags.js';
import { localTime } from './format.js';
import { type Listing, type OutputFormat, printRows } from './output.js';

type ProviderKey = z.infer<typeof ProviderKeyView>;

/** A key's state in words: when it cools down until, or since when and why it is out. */
function stateOf(k: ProviderKey): string {
  if (k.state === 'cooling-down' && k.cooling_until)
    return `cooling down until ${localTime(k.cooling_until)}`;
  if (k.state === 'out-of-rotation' && k.out_of_rotation_since) {
    return `out of rotation (${k.out_of_rotation_status ?? '?'}) since ${localTime(k.out_of_rotation_since)}`;
  }
  return k.state;
}

const KEYS: Listing<ProviderKey> = {
  noun: 'keys',
  table: [
    { header: 'ID', cell: (k) => k.id },
    { header: 'HINT', cell: (k) => k.hint },
    { header: 'STATE', cell: stateOf },
    { header: 'LAST USED', cell: (k) => (k.last_used_at ? localTime(k.last_used_at) : '-') },
  ],
  csv: [
    'id',
    'hint',
    'state',
    'cooling_until',
    'out_of_rotation_since',
    'out_of_rotation_status',
    'last_used_at',
  ].map((name) => ({ name, value: (k: ProviderKey) => k[name as keyof ProviderKey] })),
};

const keysPath = (name: string) => `/api/v2/aibridge/providers/${encodeURIComponent(name)}/keys`;

/**
 * The key to add: the argument if given (it then shows in the shell's history and the process
 * list), else a prompt without echo on a terminal, else the first line of stdin.
 */
async function keyToAdd(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  if (process.stdin.isTTY) {
    try {
      return await password({ message: 'Provider key' }, { output: process.stderr });
    } catch (error) {
      throw new CliError(`no key entered (${errorMessage(error)})`);
    }
  }
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const key = (text.split('\n')[0] ?? '').trim();
  if (!key) throw new UsageError('no key given: pass it as an argument or on stdin');
  return key;
}

/**
 * `aibridge providers keys list|add|remove`: one key at a time, so a key the gateway took out
 * of rotation can be replaced without retyping the others; every replica follows within seconds.
 */
export function registerProviderKeyCommands(providers: Command): void {
  const keys = providers.command('keys').description("Manage one provider instance's keys one at a time");
  withExamples(keys, [
    'aibridge providers keys list openai',
    'echo "$NEW_KEY" | aibridge providers keys add openai',
    'aibridge providers keys remove openai 3f9a0c1b2d4e',
  ]);

  const list = keys
    .command('list <provider>')
    .description('List the keys: hint, state (as the answering replica sees it), last use');
  addApiFlags(addOutputFlag(list));
  list.action(async (name: string, flags: ApiFlags & { output: OutputFormat }) => {
    const rows = await (await ApiClient.connect(flags)).get<ProviderKey[]>(keysPath(name));
    await printRows(rows, flags.output, KEYS);
  });

  const add = keys
    .command('add <provider> [key]')
    .description('Add one key (without the argument: prompted, or read from stdin)');
  addApiFlags(add);
  add.action(async (name: string, given: string | undefined, flags: ApiFlags) => {
    const client = await ApiClient.connect(flags);
    const key = await keyToAdd(given);
    const added = await client.request<z.infer<typeof AddedProviderKeyView>>('POST', keysPath(name), {
      body: { key },
    });
    process.stderr.write(`added key ${added.hint} (id ${added.id}) to provider ${name}\n`);
  });

  const remove = keys.command('remove <provider> <key-id>').description('Remove one key by its id');
  addApiFlags(remove);
  remove.action(async (name: string, id: string, flags: ApiFlags) => {
    await (await ApiClient.connect(flags)).request('DELETE', `${keysPath(name)}/${encodeURIComponent(id)}`);
    process.stderr.write(`removed key ${id} from provider ${name}\n`);
  });
}
