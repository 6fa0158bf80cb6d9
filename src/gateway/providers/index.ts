import type { ProviderInstance } from '../../providers/instance.js';
import type { BreakerSet } from '../../providers/metrics.js';
import type { Provider } from '../provider.js';
import type { UpstreamTimeouts } from '../upstream.js';
import { anthropicProvider } from './anthropic.js';
import { azureOpenaiProvider } from './azure-openai.js';
import { openaiProvider } from './openai.js';

/** The gateway's Provider for an instance, by its type (`timeouts`: the server's defaults). */
export function buildProvider(
  instance: ProviderInstance,
  breakers: BreakerSet | undefined,
  timeouts: UpstreamTimeouts,
): Provider {
  switch (instance.type) {
    case 'anthropic':
      return anthropicProvider(instance, breakers, timeouts);
    case 'azure-openai':
      return azureOpenaiProvider(instance, breakers, timeouts);
    case 'openai':
    case 'openai-compatible':
      return openaiProvider(instance, breakers, timeouts);
  }
}
