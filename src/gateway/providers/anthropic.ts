import { anthropicError } from '../errors.js';
import type { Provider } from '../provider.js';
import { Upstream, type UpstreamTimeouts } from '../upstream.js';

/** The API version sent when a client names none (every Anthropic SDK does; curl users may not). */
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic: base URLs have no `/v1`, so neither does the route prefix
 * (`ANTHROPIC_BASE_URL=…/api/v2/aibridge/anthropic`). `anthropic-beta` and `anthropic-version`
 * travel with the client's other headers.
 */
export function anthropicProvider(
  baseUrl: string,
  key: string | undefined,
  timeouts?: UpstreamTimeouts,
): Provider {
  return {
    name: 'anthropic',
    displayName: 'Anthropic',
    routePrefix: 'anthropic',
    keySetting: 'AIBRIDGE_ANTHROPIC_KEY',
    key,
    upstream: new Upstream(baseUrl, timeouts),
    errorShape: anthropicError,
    bridged: (path) => (path === '/v1/messages' ? 'messages' : undefined),
    passthrough: (path) =>
      path === '/v1/models' ||
      path.startsWith('/v1/models/') ||
      path === '/v1/messages/count_tokens' ||
      path.startsWith('/api/event_logging/'),
    upstreamHeaders: (clientHeaders) =>
      clientHeaders['anthropic-version'] === undefined
        ? ['x-api-key', key ?? '', 'anthropic-version', DEFAULT_ANTHROPIC_VERSION]
        : ['x-api-key', key ?? ''],
  };
}
