import type { ProviderInstance } from '../../providers/instance.js';
import { KeyPool } from '../../providers/key-pool.js';
import type { BreakerSet } from '../../providers/metrics.js';
import type { Provider } from '../provider.js';
import { Upstream, type UpstreamTimeouts } from '../upstream.js';

/** What every adapter shares: built from the instance row the same way whatever its type. */
export type ProviderBase = Pick<
  Provider,
  | 'name'
  | 'type'
  | 'keys'
  | 'byok'
  | 'models'
  | 'breakers'
  | 'upstream'
  | 'websockets'
  | 'upstreamQuery'
  | 'modelFromPath'
>;

/**
 * The parts of a Provider that come straight from its instance: keys, policy, pool, timeouts
 * (the instance's own, else the server's AIBRIDGE_UPSTREAM_*_TIMEOUT `defaults`).
 */
export function providerBase(
  instance: ProviderInstance,
  breakers: BreakerSet | undefined,
  defaults: UpstreamTimeouts,
): ProviderBase {
  const { settings } = instance;
  return {
    name: instance.name,
    type: instance.type,
    keys: new KeyPool(instance.keys),
    byok: instance.byok,
    models: instance.models && instance.models.length > 0 ? new Set(instance.models) : undefined,
    breakers,
    upstream: new Upstream(instance.baseUrl, {
      connectMs: settings.connect_timeout_ms ?? defaults.connectMs,
      firstByteMs: settings.first_byte_timeout_ms ?? defaults.firstByteMs,
      idleMs: settings.idle_timeout_ms ?? defaults.idleMs,
    }),
    websockets: settings.websockets === true,
    upstreamQuery: (_path, query) => query,
    modelFromPath: () => undefined,
  };
}

/** The instance's extra headers (OpenRouter's `HTTP-Referer`, a gateway's own token…) as pairs. */
export function extraHeaders(instance: ProviderInstance): string[] {
  return Object.entries(instance.headers).flat();
}
