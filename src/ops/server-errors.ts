import type { ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';

/**
 * Why aibridge answered (or relayed) a 5xx: a fixed set, so the metric's series stay bounded.
 * - `database_unavailable`: the database did not answer (API routes, `/readyz`, budget checks).
 * - `outage_refuse`: the interception could not be recorded with the database down and
 *   `AIBRIDGE_OUTAGE_MODE=refuse`; `spool_full`: the same with the outage journal full.
 * - `recorder_overloaded`: the recording queue is full.
 * - `concurrency_limit`: `AIBRIDGE_MAX_CONCURRENCY` reached; `circuit_open`: a breaker is open.
 * - `upstream_error`: the provider answered 5xx (relayed as is), or the identity provider failed;
 *   `upstream_unreachable`: no answer from the provider (502); `upstream_timeout`: its connect
 *   or first-byte timeout passed (502).
 * - `starting`: start-up is still waiting (`/readyz` and every request but `/healthz`);
 *   `shutting_down`: the server is draining.
 * - `misconfigured`: provider keys this replica cannot decrypt (another AIBRIDGE_SECRET_KEY).
 * - `internal`: anything else (a bug).
 */
export const SERVER_ERROR_CAUSES = [
  'database_unavailable',
  'outage_refuse',
  'spool_full',
  'recorder_overloaded',
  'concurrency_limit',
  'circuit_open',
  'upstream_error',
  'upstream_unreachable',
  'upstream_timeout',
  'starting',
  'shutting_down',
  'misconfigured',
  'internal',
] as const;

/** One of the bounded causes of a 5xx. */
export type ServerErrorCause = (typeof SERVER_ERROR_CAUSES)[number];

/** Causes noted on a response before its head goes out; read when it ends. */
const causes = new WeakMap<object, ServerErrorCause>();

/** Says why a response is about to be a 5xx (the last word counts); harmless on any other status. */
export function markCause(res: object, cause: ServerErrorCause): void {
  causes.set(res, cause);
}

/** Which upstream timeout an undici error code (or the WebSocket relay's, which reuses them) means. */
const TIMEOUT_KINDS: Record<string, UpstreamTimeoutKind> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'first_byte',
  UND_ERR_BODY_TIMEOUT: 'idle',
};

/** The three upstream timeouts: connecting, waiting for the response head, silence within the body. */
export type UpstreamTimeoutKind = 'connect' | 'first_byte' | 'idle';

/** The timeout an upstream error is (looked for down its `cause` chain), or undefined for any other failure. */
export function timeoutKind(error: unknown): UpstreamTimeoutKind | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const kind = TIMEOUT_KINDS[String((current as { code?: unknown }).code)];
    if (kind) return kind;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The cause of a 502 for a provider that could not be reached: timed out, or unreachable. */
export function unreachableCause(error: unknown): ServerErrorCause {
  return timeoutKind(error) ? 'upstream_timeout' : 'upstream_unreachable';
}

/**
 * `aibridge_http_responses_5xx_total{cause}`: every 5xx an HTTP response of aibridge's carried,
 * counted once when the response ends, with the cause its sender marked (`markCause`). One per
 * registry (each app has its own), found from the registry, so every part that can answer a
 * 5xx reaches it through the metrics registry it already has.
 */
export class ServerErrors {
  /** Set when shutdown starts: an unmarked 5xx from then on is the framework refusing while draining. */
  draining = false;
  private readonly counter: Counter<'cause'>;

  private constructor(registry: Registry) {
    this.counter = new Counter({
      name: `${METRIC_PREFIX}http_responses_5xx_total`,
      help: 'HTTP responses with a 5xx status that aibridge answered or relayed, by cause.',
      labelNames: ['cause'],
      registers: [registry],
    });
    // Every series exists from the start, at 0, so rates and alerts need no `or vector(0)`.
    for (const cause of SERVER_ERROR_CAUSES) this.counter.inc({ cause }, 0);
  }

  /** The registry's counter, made on first use. */
  static of(registry: Registry): ServerErrors {
    let errors = byRegistry.get(registry);
    if (!errors) {
      errors = new ServerErrors(registry);
      byRegistry.set(registry, errors);
    }
    return errors;
  }

  /** Counts one 5xx that has no response object (a refused WebSocket upgrade, a start-up answer). */
  count(cause: ServerErrorCause): void {
    this.counter.inc({ cause });
  }

  /** Watches an HTTP response: when it ends with a 5xx head sent, it is counted under its cause. */
  watch(res: ServerResponse): void {
    res.once('close', () => {
      if (!res.headersSent || res.statusCode < 500) return;
      this.counter.inc({ cause: causes.get(res) ?? (this.draining ? 'shutting_down' : 'internal') });
    });
  }
}

const byRegistry = new WeakMap<Registry, ServerErrors>();
