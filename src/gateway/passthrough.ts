import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { sendError } from './errors.js';
import { upstreamRequestHeaders } from './headers.js';
import type { GatewayMetrics } from './metrics.js';
import type { Route } from './provider.js';
import { relay } from './relay.js';

/**
 * Relays a non-recorded provider route (model lists, token counting, stored responses…) as it
 * is: same method, path, query and body, the client's headers with the provider key instead of
 * the aibridge token, and the response streamed back untouched. Only a counter is kept.
 */
export async function passthrough(
  req: IncomingMessage,
  res: ServerResponse,
  route: Extract<Route, { kind: 'passthrough' }>,
  body: Buffer,
  metrics: GatewayMetrics,
  log: Logger,
): Promise<void> {
  const { provider } = route;
  const method = req.method ?? 'GET';
  metrics.passthrough(provider.name, route.path, method);
  const extra = provider.upstreamHeaders(req.headers);
  const headers = upstreamRequestHeaders(
    req.rawHeaders,
    req.headers['user-agent'] === undefined ? [...extra, 'user-agent', 'aibridge'] : extra,
  );
  const outcome = await relay({
    res,
    upstream: provider.upstream,
    method,
    path: provider.upstream.path(route.path, route.query),
    headers,
    body: body.length > 0 ? body : null,
    onResponse: () => ({ headers: {} }),
  });
  if (outcome.kind === 'unreachable') {
    log.warn({ err: outcome.error, provider: provider.name }, 'gateway: passthrough upstream unreachable');
    sendError(
      res,
      provider.errorShape,
      502,
      'upstream',
      `aibridge could not reach ${provider.displayName}: ${outcome.error.message}`,
    );
  }
}
