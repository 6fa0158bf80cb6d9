import type { IncomingMessage, ServerResponse } from 'node:http';

/** The prefix every provider route lives under. */
export const GATEWAY_PREFIX = '/api/v2/aibridge/';

/** Management resources under the same prefix; everything else there belongs to the gateway. */
const CONTROL_PLANE_RESOURCES = new Set(['interceptions', 'sessions', 'models', 'clients', 'usage']);

/** The data plane as the HTTP server sees it: it answers the requests whose path is its own. */
export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

/** True when a request path (with or without query) is the gateway's rather than the API's. */
export function isGatewayPath(url: string): boolean {
  if (!url.startsWith(GATEWAY_PREFIX)) return false;
  const rest = url.slice(GATEWAY_PREFIX.length);
  const end = rest.search(/[/?]/);
  const resource = end === -1 ? rest : rest.slice(0, end);
  return !CONTROL_PLANE_RESOURCES.has(resource);
}

/** A gateway with no providers mounted: every route is reported as unsupported. */
export function createUnmountedGateway(): Gateway {
  return {
    handle(req, res) {
      const path = (req.url ?? '').slice(GATEWAY_PREFIX.length - 1).split('?')[0];
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`route not supported: ${req.method} ${path}\n`);
    },
    async close() {},
  };
}
