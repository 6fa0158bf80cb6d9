import type { ProviderInstance } from '../../providers/instance.js';
import type { BreakerSet } from '../../providers/metrics.js';
import { anthropicError } from '../errors.js';
import type { Provider } from '../provider.js';
import type { UpstreamTimeouts } from '../upstream.js';
import { extraHeaders, providerBase } from './common.js';

/** The API version sent when a client names none (every Anthropic SDK does; curl users may not). */
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic: base URLs have no `/v1`, so neither does the route prefix
 * (`ANTHROPIC_BASE_URL=…/api/v2/aibridge/<name>`). `anthropic-beta` and `anthropic-version`
 * travel with the client's other headers.
 */
export function anthropicProvider(
  instance: ProviderInstance,
  breakers: BreakerSet | undefined,
  timeouts: UpstreamTimeouts,
): Provider {
  const extra = extraHeaders(instance);
  return {
    ...providerBase(instance, breakers, timeouts),
    displayName: instance.name === 'anthropic' ? 'Anthropic' : instance.name,
    routePrefix: instance.name,
    errorShape: anthropicError,
    bridged: (path) => (path === '/v1/messages' ? 'messages' : undefined),
    passthrough: (path) =>
      path === '/v1/models' ||
      path.startsWith('/v1/models/') ||
      path === '/v1/messages/count_tokens' ||
      path.startsWith('/api/event_logging/'),
    upstreamHeaders: (clientHeaders, key) => {
      const auth = key === undefined ? [] : ['x-api-key', key];
      const version =
        clientHeaders['anthropic-version'] === undefined
          ? ['anthropic-version', DEFAULT_ANTHROPIC_VERSION]
          : [];
      return [...auth, ...version, ...extra];
    },
  };
}
