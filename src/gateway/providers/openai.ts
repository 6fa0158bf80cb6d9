import { openaiError } from '../errors.js';
import type { ApiKind, Provider } from '../provider.js';
import { Upstream, type UpstreamTimeouts } from '../upstream.js';

const BRIDGED: Record<string, ApiKind> = {
  '/chat/completions': 'chat-completions',
  '/responses': 'responses',
};

/**
 * OpenAI: the route prefix includes `/v1` because OpenAI base URLs do
 * (`…/api/v2/aibridge/openai/v1` is what clients put in `OPENAI_BASE_URL`).
 */
export function openaiProvider(
  baseUrl: string,
  key: string | undefined,
  timeouts?: UpstreamTimeouts,
): Provider {
  return {
    name: 'openai',
    displayName: 'OpenAI',
    routePrefix: 'openai/v1',
    keySetting: 'AIBRIDGE_OPENAI_KEY',
    key,
    upstream: new Upstream(baseUrl, timeouts),
    errorShape: openaiError,
    bridged: (path) => BRIDGED[path],
    passthrough: (path) =>
      path === '/models' ||
      path.startsWith('/models/') ||
      path === '/conversations' ||
      path.startsWith('/conversations/') ||
      path.startsWith('/responses/'),
    upstreamHeaders: () => ['authorization', `Bearer ${key}`],
  };
}
