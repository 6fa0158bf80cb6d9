import type { ProviderInstance } from '../../providers/instance.js';
import type { BreakerSet } from '../../providers/metrics.js';
import type { Provider } from '../provider.js';
import { anthropicProvider } from './anthropic.js';
import { azureOpenaiProvider } from './azure-openai.js';
import { openaiProvider } from './openai.js';

/** The gateway's Provider for an instance, by its type. */
export function buildProvider(instance: ProviderInstance, breakers: BreakerSet | undefined): Provider {
  switch (instance.type) {
    case 'anthropic':
      return anthropicProvider(instance, breakers);
    case 'azure-openai':
      return azureOpenaiProvider(instance, breakers);
    case 'openai':
    case 'openai-compatible':
      return openaiProvider(instance, breakers);
  }
}
