import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
import { type AppHandlers, createHttpServer, type StartingServer } from './health/starting.js';
import type { RateLimits } from './limits/rate-limits.js';
import { ServerErrors } from './ops/server-errors.js';
import { VERSION } from './version.js';

/** Everything the HTTP app is built from; main.ts and the tests assemble it. */
export interface AppDeps extends ApiDeps {
  gateway: Gateway;
  metrics: Registry;
  /** The shared rate limits, whose state `/readyz` reports. */
  limits?: RateLimits | undefined;
  /** The outage journal, when on: `/readyz` stays ready while it has room. */
  journal?: { readonly hasRoom: boolean } | undefined;
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

/** How the app gets its HTTP server. */
export interface BuildOptions {
  /**
   * The server start-up listens on already: the app adopts it (and `startServer` hands it
   * over), so the port is never released between start-up and serving. Without it the app
   * creates its own server, and the caller listens with `app.listen`.
   */
  host?: Pick<StartingServer, 'adopt'> | undefined;
}

/**
 * Builds the HTTP app without listening: gateway routes go straight to the gateway's raw
 * node handler (no framework work on the hot path); everything else is Fastify.
 */
export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const paths = new GatewayPaths();
  const serverErrors = ServerErrors.of(deps.metrics);
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: API_BODY_LIMIT,
    clientErrorHandler: clientErrorHandler((url) => deps.gateway.errorShapeFor(url)),
    serverFactory: (fastifyHandler) => {
      // Assigned below, before any request can arrive.
      let server: Server | undefined;
      const handlers: AppHandlers = {
        request: (req: IncomingMessage, res: ServerResponse) => {
          serverErrors.watch(res);
          if (paths.isGatewayPath(req.url ?? '')) deps.gateway.handle(req, res);
          else fastifyHandler(req, res);
        },
        upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => {
          if (wantsWebSocket(req) && paths.isGatewayPath(req.url ?? ''))
            deps.gateway.upgrade(req, socket, head);
          else if (server) serveAsHttp(server, req, socket, head);
        },
      };
      // The server start-up already listens on, or a new one the caller listens with.
      if (options.host) {
        server = options.host.adopt(handlers);
        return server;
      }
      server = createHttpServer(deps.config);
      server.on('request', handlers.request);
      server.on('upgrade', handlers.upgrade);
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
    journal: deps.journal,
    providers: deps.providers,
  });
  await registerDashboard(app);
  return app;
}
