import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiDeps } from './api/context.js';
import { registerApi } from './api/index.js';
import { registerDashboard } from './dashboard.js';
import { sendApiError } from './errors.js';
import type { Gateway } from './gateway/bridge.js';
import { clientErrorHandler } from './gateway/client-errors.js';
import { GatewayPaths } from './gateway/paths.js';
import { serveAsHttp, wantsWebSocket } from './gateway/websocket/upgrade.js';
import { registerHealthRoutes } from './health/routes.js';
import type { RateLimits } from './limits/rate-limits.js';
import { VERSION } from './version.js';

/** Everything the HTTP app is built from; main.ts and the tests assemble it. */
export interface AppDeps extends ApiDeps {
  gateway: Gateway;
  metrics: Registry;
  /** The shared rate limits, whose state `/readyz` reports. */
  limits?: RateLimits | undefined;
}

/** The package version (re-exported: the server and its tests read it from here). */
export { VERSION };

const API_BODY_LIMIT = 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** Which requests go to the gateway; the API's resources are learned from its routes. */
    gatewayPaths: GatewayPaths;
  }
}

/**
 * Builds the HTTP app without listening: gateway routes go straight to the gateway's raw
 * node handler (no framework work on the hot path); everything else is Fastify.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const paths = new GatewayPaths();
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: API_BODY_LIMIT,
    clientErrorHandler: clientErrorHandler((url) => deps.gateway.errorShapeFor(url)),
    serverFactory: (fastifyHandler) => {
      const server = createServer(
        { connectionsCheckingInterval: 1000 },
        (req: IncomingMessage, res: ServerResponse) => {
          if (paths.isGatewayPath(req.url ?? '')) deps.gateway.handle(req, res);
          else fastifyHandler(req, res);
        },
      );
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (wantsWebSocket(req) && paths.isGatewayPath(req.url ?? ''))
          deps.gateway.upgrade(req, socket, head);
        else serveAsHttp(server, req, socket, head);
      });
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = Math.min(66_000, deps.config.bodyTimeoutMs || 66_000);
      // A body trickled a byte at a time must not pin a connection (0 = no bound).
      server.requestTimeout = deps.config.bodyTimeoutMs;
      return server;
    },
  });

  // Before any route: every route registered from here on, in any module, is the API's.
  app.addHook('onRoute', (route) => paths.learn(route.url));
  app.decorate('gatewayPaths', paths);

  app.setErrorHandler((error, request, reply) => {
    const sent = sendApiError(reply, error);
    // An outage is logged once, when it starts (and when it ends), not per failed request.
    if (reply.statusCode >= 500 && !deps.db.health.failed(error))
      request.log.error({ err: error, url: request.routeOptions.url }, 'request failed');
    return sent;
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'api request',
    );
  });

  await app.register(fastifyCookie);
  registerApi(app, deps);
  registerHealthRoutes(app, {
    db: deps.db,
    metrics: deps.metrics,
    metricsToken: deps.config.metricsToken,
    limits: deps.limits,
    providers: deps.providers,
  });
  await registerDashboard(app);
  return app;
}
