import type { Config } from '../config.js';
import { SecretBoxError } from './secret-box.js';
import type { NewProvider, ProviderStore } from './store.js';

/**
 * The two instances today's env vars describe (`openai`, `anthropic`). Created on first start;
 * while nobody has changed them through the API they follow the env vars at every start, so
 * setting `AIBRIDGE_OPENAI_KEY` and restarting still works as it always did.
 */
export async function seedFromEnv(store: ProviderStore, config: Config): Promise<void> {
  const defaults: NewProvider[] = [
    { name: 'openai', type: 'openai', baseUrl: config.openai.baseUrl, keys: keyList(config.openai.key) },
    {
      name: 'anthropic',
      type: 'anthropic',
      baseUrl: config.anthropic.baseUrl,
      keys: keyList(config.anthropic.key),
    },
  ];
  for (const seed of defaults) {
    const row = await store.find(seed.name);
    if (!row) {
      await store.create(seed, true).catch(() => store.find(seed.name)); // another replica seeded it
      continue;
    }
    if (!row.env_managed) continue;
    const same = row.base_url === seed.baseUrl && row.keys.length === seed.keys.length;
    const equal = same ? await keysEqual(store, row, seed.keys) : false;
    // Sealed with another AIBRIDGE_SECRET_KEY: re-sealing them with ours would only move the
    // failure to the replicas that hold the right one. The registry reports it instead.
    if (equal === true || equal === 'unreadable') continue;
    await store.update(seed.name, { baseUrl: seed.baseUrl, keys: seed.keys }, true);
  }
}

/** `AIBRIDGE_OPENAI_KEY` may list several keys separated by commas: they form the instance's pool. */
function keyList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

async function keysEqual(
  store: ProviderStore,
  row: Parameters<ProviderStore['open']>[0],
  keys: string[],
): Promise<boolean | 'unreadable'> {
  try {
    const opened = await store.open(row);
    return opened.keys.every((k, i) => k.secret === keys[i]);
  } catch (error) {
    return error instanceof SecretBoxError ? 'unreadable' : false;
  }
}
