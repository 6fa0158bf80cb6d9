/** The kinds of upstream an instance can be: each maps to an adapter in gateway/providers/. */
export const PROVIDER_TYPES = ['openai', 'anthropic', 'openai-compatible', 'azure-openai'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** Whose credential goes upstream: always the instance's, the person's if sent, or only theirs. */
export const BYOK_POLICIES = ['central', 'byok-allowed', 'byok-only'] as const;
export type ByokPolicy = (typeof BYOK_POLICIES)[number];

/** The reference's circuit breaker settings (gobreaker semantics, §6.16); off unless enabled. */
export interface BreakerSettings {
  enabled: boolean;
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How often the failure count is reset while closed (ms). */
  intervalMs: number;
  /** How long it stays open before probing (ms). */
  timeoutMs: number;
  /** Requests allowed through while half-open; that many successes close it. */
  maxRequests: number;
}

/** The reference's defaults: 5 failures, 10 s interval, 30 s open, 3 half-open requests. */
const DEFAULT_BREAKER: BreakerSettings = {
  enabled: false,
  failureThreshold: 5,
  intervalMs: 10_000,
  timeoutMs: 30_000,
  maxRequests: 3,
};

/** Per-instance tuning, stored as the `settings` jsonb column in the API's own spelling. */
export interface ProviderSettings {
  /** Azure OpenAI: the `api-version` added when the client sends none. */
  api_version?: string | undefined;
  /** Upstream timeouts (ms): TCP/TLS connect, first response byte, silence in a stream. */
  connect_timeout_ms?: number | undefined;
  first_byte_timeout_ms?: number | undefined;
  idle_timeout_ms?: number | undefined;
  /** OpenAI Responses: relay WebSocket turns to the provider's own WebSocket mode. */
  websockets?: boolean | undefined;
  circuit_breaker?:
    | {
        enabled?: boolean | undefined;
        failure_threshold?: number | undefined;
        interval_ms?: number | undefined;
        timeout_ms?: number | undefined;
        max_requests?: number | undefined;
      }
    | undefined;
}

/** An instance's breaker settings: its own over the reference's defaults. */
export function breakerSettings(settings: ProviderSettings): BreakerSettings {
  const b = settings.circuit_breaker ?? {};
  return {
    enabled: b.enabled ?? DEFAULT_BREAKER.enabled,
    failureThreshold: b.failure_threshold ?? DEFAULT_BREAKER.failureThreshold,
    intervalMs: b.interval_ms ?? DEFAULT_BREAKER.intervalMs,
    timeoutMs: b.timeout_ms ?? DEFAULT_BREAKER.timeoutMs,
    maxRequests: b.max_requests ?? DEFAULT_BREAKER.maxRequests,
  };
}

/** One provider instance with its keys opened: what the gateway builds a Provider from. */
export interface ProviderInstance {
  name: string;
  type: ProviderType;
  baseUrl: string;
  headers: Record<string, string>;
  models: string[] | null;
  byok: ByokPolicy;
  settings: ProviderSettings;
  keys: { id: string; secret: string; hint: string }[];
}

/** Instance names are route prefixes: lower-case words joined by single hyphens, as in the reference. */
export const INSTANCE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
