import type { ProviderInstance } from '../../providers/instance.js';
import type { BreakerSet } from '../../providers/metrics.js';
import { openaiError } from '../errors.js';
import type { ApiKind, Provider } from '../provider.js';
import type { UpstreamTimeouts } from '../upstream.js';
import { extraHeaders, providerBase } from './common.js';

const BRIDGED: Record<string, ApiKind> = {
  '/chat/completions': 'chat-completions',
  '/responses': 'responses',
};

/**
 * OpenAI, and any OpenAI-compatible upstream (OpenRouter, vLLM, Ollama, Gemini's OpenAI
 * endpoint): the route prefix includes `/v1` because OpenAI base URLs do
 * (`…/api/v2/aibridge/<name>/v1` is what clients put in `OPENAI_BASE_URL`). Responses are
 * bridged for both; an upstream without them answers its own 404.
 */
export function openaiProvider(
  instance: ProviderInstance,
  breakers: BreakerSet | undefined,
  timeouts: UpstreamTimeouts,
): Provider {
  const extra = extraHeaders(instance);
  return {
    ...providerBase(instance, breakers, timeouts),
    displayName: instance.name === 'openai' && instance.type === 'openai' ? 'OpenAI' : instance.name,
    routePrefix: `${instance.name}/v1`,
    errorShape: openaiError,
    bridged: (path) => BRIDGED[path],
    passthrough: (path) =>
      path === '/models' ||
      path.startsWith('/models/') ||
      path === '/conversations' ||
      path.startsWith('/conversations/') ||
      path.startsWith('/responses/'),
    upstreamHeaders: (_client, key) =>
      key === undefined ? extra : ['authorization', `Bearer ${key}`, ...extra],
  };
}
