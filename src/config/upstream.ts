import type { UpstreamTimeouts } from '../gateway/upstream.js';
import { parseDuration, parseHttpUrl, type Read } from './parse.js';

/** The built-in providers' base URLs and keys, and the bounds on every provider call. */
export interface UpstreamConfig {
  openai: { baseUrl: string; key: string | undefined };
  anthropic: { baseUrl: string; key: string | undefined };
  /** Connect, first-byte and idle-stream bounds on provider calls. */
  upstreamTimeouts: UpstreamTimeouts;
}

/** The upstream settings, each with a flag. */
export const UPSTREAM_SETTINGS = {
  openaiBaseUrl: { env: ['AIBRIDGE_OPENAI_BASE_URL'], fallback: 'https://api.openai.com/v1/' },
  openaiKey: { env: ['AIBRIDGE_OPENAI_KEY', 'OPENAI_API_KEY'], fallback: undefined },
  anthropicBaseUrl: { env: ['AIBRIDGE_ANTHROPIC_BASE_URL'], fallback: 'https://api.anthropic.com/' },
  anthropicKey: { env: ['AIBRIDGE_ANTHROPIC_KEY', 'ANTHROPIC_API_KEY'], fallback: undefined },
  upstreamConnectTimeout: { env: ['AIBRIDGE_UPSTREAM_CONNECT_TIMEOUT'], fallback: '10s' },
  upstreamFirstByteTimeout: { env: ['AIBRIDGE_UPSTREAM_FIRST_BYTE_TIMEOUT'], fallback: '10m' },
  upstreamIdleTimeout: { env: ['AIBRIDGE_UPSTREAM_IDLE_TIMEOUT'], fallback: '10m' },
};

/** Reads the upstream settings; throws ConfigError naming a bad one. */
export function loadUpstreamConfig(read: Read<typeof UPSTREAM_SETTINGS>): UpstreamConfig {
  return {
    openai: { baseUrl: parseHttpUrl(read('openaiBaseUrl')), key: read('openaiKey').value || undefined },
    anthropic: {
      baseUrl: parseHttpUrl(read('anthropicBaseUrl')),
      key: read('anthropicKey').value || undefined,
    },
    upstreamTimeouts: {
      connectMs: parseDuration(read('upstreamConnectTimeout')),
      firstByteMs: parseDuration(read('upstreamFirstByteTimeout')),
      idleMs: parseDuration(read('upstreamIdleTimeout')),
    },
  };
}
