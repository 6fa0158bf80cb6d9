import type { ProviderInstance } from '../../providers/instance.js';
import type { BreakerSet } from '../../providers/metrics.js';
import { openaiError } from '../errors.js';
import type { ApiKind, Provider } from '../provider.js';
import type { UpstreamTimeouts } from '../upstream.js';
import { extraHeaders, providerBase } from './common.js';

const DEPLOYMENTS = '/openai/deployments/';

/** Azure's two URL styles: per-deployment (with `api-version`) and the newer `/openai/v1`. */
function bridged(path: string): ApiKind | undefined {
  if (path.startsWith(DEPLOYMENTS)) {
    const rest = path.slice(DEPLOYMENTS.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const tail = rest.slice(slash);
    if (tail === '/chat/completions') return 'chat-completions';
    if (tail === '/responses') return 'responses';
    return undefined;
  }
  if (path === '/openai/v1/chat/completions') return 'chat-completions';
  if (path === '/openai/v1/responses' || path === '/openai/responses') return 'responses';
  return undefined;
}

/**
 * Azure OpenAI: clients set the endpoint to `…/api/v2/aibridge/<name>` and call Azure's own
 * paths (`/openai/deployments/<deployment>/chat/completions?api-version=…`, or
 * `/openai/v1/…`), authenticating with `api-key`. The instance's key goes upstream the same
 * way; its `api-version` is added where the client named none; the deployment stands in for
 * the model when the body has none.
 */
export function azureOpenaiProvider(
  instance: ProviderInstance,
  breakers: BreakerSet | undefined,
  timeouts: UpstreamTimeouts,
): Provider {
  const extra = extraHeaders(instance);
  const apiVersion = instance.settings.api_version;
  return {
    ...providerBase(instance, breakers, timeouts),
    displayName: instance.name,
    routePrefix: instance.name,
    errorShape: openaiError,
    bridged,
    passthrough: (path) =>
      path === '/openai/models' || path === '/openai/v1/models' || path.startsWith('/openai/v1/models/'),
    upstreamHeaders: (_client, key) => (key === undefined ? extra : ['api-key', key, ...extra]),
    upstreamQuery: (path, query) => {
      if (!apiVersion || path.startsWith('/openai/v1/') || /[?&]api-version=/.test(query)) return query;
      const param = `api-version=${encodeURIComponent(apiVersion)}`;
      return query === '' ? `?${param}` : `${query}&${param}`;
    },
    modelFromPath: (path) => {
      if (!path.startsWith(DEPLOYMENTS)) return undefined;
      const rest = path.slice(DEPLOYMENTS.length);
      return decodeURIComponent(rest.slice(0, rest.indexOf('/')));
    },
  };
}
