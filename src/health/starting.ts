import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../db/health.js';
import { clientErrorHandler } from '../gateway/client-errors.js';
import { anthropicError, type ErrorShape, openaiError, plainError, sendError } from '../gateway/errors.js';
import { GATEWAY_PREFIX } from '../gateway/paths.js';
import { refuseUpgrade } from '../gateway/websocket/upgrade.js';
import type { Logger } from '../log.js';
import type { ServerErrors } from '../ops/server-errors.js';

/** What start-up is still waiting for, in order: reach the database, migrate it, start the rest. */
export type StartupStage = 'database' | 'migrations' | 'services';

/** The app's handlers, installed on the listening server at hand-over. */
export interface AppHandlers {
  request: (req: IncomingMessage, res: ServerResponse) => void;
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/**
 * The HTTP server aibridge listens on from its first moment, so orchestrators can probe it
 * while start-up waits for PostgreSQL (which may take minutes): `/healthz` says the process is
 * up, `/readyz` says 503 `starting` and what it waits for, and every other request gets a 503
 * with `Retry-After` in the shape its client reads (the provider's on gateway paths). When
 * start-up is done the real app takes over the same server: no port to re-bind, so no window
 * in which connections are refused, and keep-alive probe connections carry on.
 */
export class StartingServer {
  /** What start-up is waiting for now. */
  stage: StartupStage = 'database';
  private handlers: AppHandlers | undefined;
  private live = false;
  private readonly onClientError = clientErrorHandler(startingShape);

  private constructor(
    readonly server: Server,
    readonly url: string,
    private readonly errors: ServerErrors | undefined,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.live && this.handlers) this.handlers.request(req, res);
      else this.answer(req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.live && this.handlers) return this.handlers.upgrade(req, socket, head);
      socket.on('error', () => socket.destroy());
      this.errors?.count('starting');
      refuseUpgrade(socket, 503, startingShape(req.url ?? '', req.headers)('overloaded', this.message()), {
        'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS),
      });
    });
    server.on('clientError', this.onClientError);
  }

  /** Creates the server with the app's connection settings and listens on the configured address. */
  static async listen(config: Config, log: Logger, errors?: ServerErrors): Promise<StartingServer> {
    const server = createHttpServer(config);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: config.http.host, port: config.http.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const starting = new StartingServer(server, `http://${host}:${address.port}`, errors);
    log.info({ url: starting.url }, 'listening while starting: /healthz and /readyz answer meanwhile');
    return starting;
  }

  /**
   * Called by the app's server factory: its handlers are kept until `handOver`, and the app's
   * own `clientError` listener (which Fastify adds next) replaces this one.
   */
  adopt(handlers: AppHandlers): Server {
    this.handlers = handlers;
    this.server.off('clientError', this.onClientError);
    return this.server;
  }

  /** Start-up is done: from now on every request goes to the app. */
  handOver(): void {
    if (!this.handlers) throw new Error('hand-over before the app adopted the server');
    this.live = true;
  }

  /** Start-up failed: stop listening and drop every connection, so the process can exit. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private message(): string {
    return `aibridge is starting (waiting for its ${this.stage}); retry shortly`;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // The request body (if any) is not needed: read and drop it so the connection stays usable.
    req.resume();
    const retry = { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) };
    const shape = startingShape(req.url ?? '', req.headers);
    if (path === '/healthz') {
      json(res, 200, { status: 'ok' });
      return;
    }
    this.errors?.count('starting');
    if (path === '/readyz') json(res, 503, { status: 'starting', waiting: [this.stage] }, retry);
    else if (shape === plainError) {
      json(res, 503, { message: 'aibridge is starting.', detail: this.message() }, retry);
    } else sendError(res, shape, 503, 'overloaded', this.message(), retry);
  }
}

/** A bare HTTP server with aibridge's connection settings (the app's own, or start-up's). */
export function createHttpServer(config: Pick<Config, 'bodyTimeoutMs'>): Server {
  const server = createServer({ connectionsCheckingInterval: 1000 });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = Math.min(66_000, config.bodyTimeoutMs || 66_000);
  // A body trickled a byte at a time must not pin a connection (0 = no bound).
  server.requestTimeout = config.bodyTimeoutMs;
  return server;
}

/**
 * The error shape for a path while the provider instances (which live in the database) are not
 * loaded yet: guessed from what the client sent. Anthropic's clients call `/v1/messages` and
 * send `anthropic-version`; other provider calls (`/v1/...`) are OpenAI-shaped; anything else,
 * the API's resources under the same prefix included, gets the API's `{"message"}` envelope.
 */
export function startingShape(url: string, headers: IncomingMessage['headers'] = {}): ErrorShape {
  if (!url.startsWith(GATEWAY_PREFIX)) return plainError;
  const rest = url.slice(GATEWAY_PREFIX.length).split('?')[0] ?? '';
  const [instance = '', ...path] = rest.split('/');
  const tail = `/${path.join('/')}`;
  if (
    tail.includes('/v1/messages') ||
    headers['anthropic-version'] !== undefined ||
    (instance === 'anthropic' && path.length > 0)
  ) {
    return anthropicError;
  }
  if (tail.includes('/v1/') || tail.endsWith('/v1') || tail.startsWith('/openai/')) return openaiError;
  return plainError;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
