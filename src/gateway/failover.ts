import type { IncomingHttpHeaders } from 'node:http';
import { timeoutKind } from '../ops/server-errors.js';
import { type PooledKey, retryAfterMs } from '../providers/key-pool.js';
import type { ProviderMetrics } from '../providers/metrics.js';
import type { Provider } from './provider.js';
import { type RelayOutcome, type RelayRequest, type RelayTarget, relay } from './relay.js';

/** How long a key rests after a 429 without Retry-After, and after a 5xx or a failed connection. */
const RATE_LIMIT_COOLDOWN_MS = 1000;
const FAILURE_COOLDOWN_MS = 2000;

/** One exchange as the caller describes it; the upstream and its auth headers come per attempt. */
export type Exchange = Omit<RelayRequest, 'upstream' | 'headers' | 'retry'>;

/** How the exchange came out, over however many keys it took. */
export interface Attempted {
  outcome: RelayOutcome;
  attempts: number;
  /** The hint of the key that served the final attempt (none for the person's own credential). */
  keyHint: string | undefined;
}

/**
 * Relays an exchange over the instance's key pool: on 429, 5xx, 401/403 or a failed
 * connection — always before any byte of that response reached the client — the next key is
 * tried, the failing key rests (`Retry-After` honoured) or, refused, leaves the rotation. The
 * last key's answer is relayed as the provider sent it. With the person's own credential
 * (`central` false) there is one attempt and no pool. `target` is the instance's HTTP pool
 * unless a WebSocket turn goes to the provider's own socket. Every attempt cut by a timeout
 * (connect, first byte, idle) is counted, retried or not.
 */
export async function relayOverKeys(
  provider: Provider,
  exchange: Exchange,
  headersFor: (key: string | undefined) => string[],
  metrics: ProviderMetrics,
  central: boolean,
  target: RelayTarget = provider.upstream,
): Promise<Attempted> {
  const pooled = central ? provider.keys.order() : [];
  const keys: readonly (PooledKey | undefined)[] = pooled.length > 0 ? pooled : NO_KEY;
  for (let i = 0; ; i++) {
    const key = keys[i];
    const last = i === keys.length - 1;
    let seen: IncomingHttpHeaders | undefined;
    if (key) provider.keys.used(key);
    const outcome = await relay({
      ...exchange,
      onResponse: (status, headers) => {
        seen = headers;
        return exchange.onResponse(status, headers);
      },
      upstream: target,
      headers: headersFor(key?.secret),
      retry: last ? undefined : (status) => retryable(status),
    });
    const status = outcome.kind === 'unreachable' ? undefined : outcome.status;
    const headers = outcome.kind === 'retry' ? outcome.headers : seen;
    if (key) learn(provider, key, status, headers, metrics);
    const timedOut =
      outcome.kind === 'unreachable' || outcome.kind === 'upstream_broken'
        ? timeoutKind(outcome.error)
        : undefined;
    if (timedOut) metrics.upstreamTimeout(provider.name, timedOut);
    if (outcome.kind === 'retry' || (outcome.kind === 'unreachable' && !last)) {
      metrics.failover(provider.name, status === undefined ? 'connection' : String(status));
      continue;
    }
    return { outcome, attempts: i + 1, keyHint: key?.hint };
  }
}

/** One attempt with no key of the instance's: the person's own credential travels instead. */
const NO_KEY: readonly undefined[] = [undefined];

function retryable(status: number): boolean {
  return status === 429 || status === 401 || status === 403 || status >= 500;
}

/** What an attempt teaches the pool about its key. */
function learn(
  provider: Provider,
  key: PooledKey,
  status: number | undefined,
  headers: IncomingHttpHeaders | undefined,
  metrics: ProviderMetrics,
): void {
  const pool = provider.keys;
  if (status === undefined || status >= 500) pool.coolDown(key, FAILURE_COOLDOWN_MS);
  else if (status === 429)
    pool.coolDown(key, retryAfterMs(headers?.['retry-after'], Date.now(), RATE_LIMIT_COOLDOWN_MS));
  else if (status === 401 || status === 403) {
    if (pool.disable(key, status)) metrics.keyDisabled(provider.name, key.hint, status);
  } else if (status < 400) pool.succeeded(key);
}
