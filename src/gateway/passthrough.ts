import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { markCause, unreachableCause } from '../ops/server-errors.js';
import type { ProviderMetrics } from '../providers/metrics.js';
import { sendError } from './errors.js';
import { relayOverKeys } from './failover.js';
import { upstreamRequestHeaders } from './headers.js';
import type { GatewayMetrics } from './metrics.js';
import type { Route } from './provider.js';

/** An authenticated request on a passthrough route, body read. */
export interface PassthroughRequest {
  req: IncomingMessage;
  res: ServerResponse;
  route: Extract<Route, { kind: 'passthrough' }>;
  body: Buffer;
  /** Set when the person brought their own credential (it travels instead of the instance's key). */
  byok: { hint: string } | undefined;
}

/**
 * Relays a non-recorded provider route (model lists, token counting, stored responses…) as it
 * is: same method, path, query and body, the client's headers with the provider key instead of
 * the aibridge token, and the response streamed back untouched. Only a counter is kept.
 */
export async function passthrough(
  request: PassthroughRequest,
  deps: { metrics: GatewayMetrics; providerMetrics: ProviderMetrics; log: Logger },
): Promise<void> {
  const { req, res, route, body, byok } = request;
  const { provider } = route;
  const method = req.method ?? 'GET';
  deps.metrics.passthrough(provider.name, route.path, method);
  const { outcome } = await relayOverKeys(
    provider,
    {
      res,
      method,
      path: provider.upstream.path(route.path, provider.upstreamQuery(route.path, route.query)),
      body: body.length > 0 ? body : null,
      onResponse: () => ({ headers: {} }),
    },
    (key) => {
      const extra = provider.upstreamHeaders(req.headers, key);
      const own = req.headers['user-agent'] === undefined ? [...extra, 'user-agent', 'aibridge'] : extra;
      return upstreamRequestHeaders(req.rawHeaders, own, byok !== undefined);
    },
    deps.providerMetrics,
    byok === undefined,
  );
  if (outcome.kind === 'unreachable') {
    deps.log.warn(
      { err: outcome.error, provider: provider.name },
      'gateway: passthrough upstream unreachable',
    );
    markCause(res, unreachableCause(outcome.error));
    sendError(
      res,
      provider.errorShape,
      502,
      'upstream',
      `aibridge could not reach ${provider.displayName}: ${outcome.error.message}`,
    );
  }
}
