import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import type { Authenticator } from '../auth/authenticator.js';
import type { BudgetGate } from '../budgets/gate.js';
import type { Config } from '../config.js';
import type { ClientUseLog } from '../connect/client-use.js';
import { type DatabaseHealth, OUTAGE_RETRY_AFTER_SECONDS } from '../db/health.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { Logger } from '../log.js';
import { markCause, ServerErrors } from '../ops/server-errors.js';
import type { InterceptionTracer } from '../ops/span.js';
import type { PriceBook } from '../pricing/book.js';
import { packageModelNames } from '../pricing/package-book.js';
import { chooseCredential } from '../providers/credential.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Recorder } from '../recorder/types.js';
import { BodyAbortedError, BodyTooLargeError, readBody } from './body.js';
import { BodyPool } from './body-pool.js';
import { gatewayToken, MISSING_TOKEN_MESSAGE, noKeyMessage, refusalMessage } from './credentials.js';
import { readEncodedBody } from './encoding/request.js';
import { type ErrorShape, type GatewayErrorKind, plainError, sendError } from './errors.js';
import { intercept } from './intercept/interceptor.js';
import { KnownModels } from './known-models.js';
import { ConcurrencyLimiter } from './limits.js';
import { GatewayMetrics } from './metrics.js';
import { passthrough } from './passthrough.js';
import { GATEWAY_PREFIX } from './paths.js';
import { type Route, resolveRoute } from './provider.js';
import { rateLimitHeaders, rateLimitMessage } from './rate-limit-headers.js';
import { ResponsesSockets } from './websocket/sockets.js';
import { refuseUpgrade } from './websocket/upgrade.js';

/** The data plane as the HTTP server sees it: it answers the requests whose path is its own. */
export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Takes (or refuses) a WebSocket upgrade on one of its paths. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Refuses new requests, waits for those in flight, then releases upstream connections. */
  close(): Promise<void>;
  /** The error shape of the provider a URL belongs to (undefined: not a provider path). */
  errorShapeFor(url: string): ErrorShape | undefined;
}

/** What the gateway is built from. */
export interface GatewayDeps {
  config: Config;
  auth: Authenticator;
  recorder: Recorder;
  log: Logger;
  metrics: Registry;
  /** The provider instances, kept current from the database. */
  providers: ProviderRegistry;
  /** The price book, whose overrides' models are known models for the metric labels (tests may leave it out). */
  prices?: PriceBook | undefined;
  /** Budget admission (the server always has one; tests may leave it out). */
  budgets?: BudgetGate | undefined;
  /** Classifies failures: a database outage is a 503 with Retry-After, logged once. */
  health: DatabaseHealth;
  /** Notes which client used which token, for the connect page (absent in bare test gateways). */
  clientUse?: ClientUseLog | undefined;
  /** The rate limits every replica shares (`AIBRIDGE_RATE_LIMIT`, `AIBRIDGE_USER_RATE_LIMIT`). */
  limits: RateLimits;
  /** OpenTelemetry spans per interception; absent unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracer?: InterceptionTracer | undefined;
}

const DATABASE_DOWN_MESSAGE = 'aibridge cannot reach its database right now; retry shortly';

/** The real gateway: the provider instances' bridged and passthrough routes. */
export function createGateway(deps: GatewayDeps): Gateway {
  return new Bridge(deps);
}

/**
 * Serves provider traffic on the raw node request (no framework on the hot path): route →
 * capacity → token → authentication → rate limits → provider key → body → bridged interception
 * or passthrough. Every refusal is in the provider's own error shape, so agents show it.
 */
class Bridge implements Gateway {
  private readonly concurrency: ConcurrencyLimiter;
  private readonly metrics: GatewayMetrics;
  private readonly sockets: ResponsesSockets;
  private readonly active = new Set<ServerResponse>();
  /** Memory for large bridged bodies, reused once a request is done with it. */
  private readonly bodies = new BodyPool();
  private closing = false;
  private drained: (() => void) | undefined;

  constructor(private readonly deps: GatewayDeps) {
    this.concurrency = new ConcurrencyLimiter(deps.config.maxConcurrency);
    const known = new KnownModels({
      packageIds: packageModelNames,
      overrides: deps.prices,
      providers: () => deps.providers.providers,
    });
    this.metrics = new GatewayMetrics(deps.metrics, known);
    this.sockets = new ResponsesSockets({
      authenticate: (token) => deps.auth.authenticate(token),
      concurrency: this.concurrency,
      limits: deps.limits,
      maxMessageBytes: deps.config.maxBodyBytes,
      recorder: deps.recorder,
      metrics: this.metrics,
      log: deps.log,
      providerMetrics: deps.providers.metrics,
      budgets: deps.budgets,
      health: deps.health,
      clientUse: deps.clientUse,
    });
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = resolveRoute((req.url ?? '').slice(GATEWAY_PREFIX.length), this.deps.providers.providers);
    const shape = route.provider?.errorShape ?? plainError;
    socket.on('error', () => socket.destroy());
    if (this.closing) {
      ServerErrors.of(this.deps.metrics).count('shutting_down');
      refuseUpgrade(socket, 503, shape('overloaded', 'aibridge is shutting down; retry in a moment'));
      return;
    }
    if (route.provider?.unavailable && route.kind !== 'unknown') {
      ServerErrors.of(this.deps.metrics).count('misconfigured');
      refuseUpgrade(socket, 503, shape('upstream', route.provider.unavailable));
      return;
    }
    if (route.kind !== 'bridged' || route.api !== 'responses') {
      // Codex tries a WebSocket first and falls back to HTTP at once on 426.
      const message = 'aibridge serves WebSocket only on the Responses API (/openai/v1/responses); use HTTP';
      refuseUpgrade(socket, 426, shape('invalid_request', message));
      return;
    }
    this.sockets.upgrade(req, socket, head, route).catch((error: unknown) => {
      this.deps.log.error({ err: error, path: req.url?.split('?')[0] }, 'gateway: WebSocket upgrade failed');
      ServerErrors.of(this.deps.metrics).count('internal');
      refuseUpgrade(socket, 500, shape('upstream', 'aibridge failed to handle this request'));
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = performance.now();
    this.active.add(res);
    res.once('close', () => {
      this.active.delete(res);
      if (this.active.size === 0) this.drained?.();
    });
    const route = resolveRoute((req.url ?? '').slice(GATEWAY_PREFIX.length), this.deps.providers.providers);
    const shape = route.provider?.errorShape ?? plainError;
    this.serve(req, res, route, shape, receivedAt).catch((error: unknown) => {
      if (this.deps.health.failed(error)) {
        markCause(res, 'database_unavailable');
        return sendError(res, shape, 503, 'overloaded', DATABASE_DOWN_MESSAGE, {
          'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS),
        });
      }
      this.deps.log.error({ err: error, path: req.url?.split('?')[0] }, 'gateway: request failed');
      sendError(res, shape, 500, 'upstream', 'aibridge failed to handle this request');
    });
  }

  errorShapeFor(url: string): ErrorShape | undefined {
    if (!url.startsWith(GATEWAY_PREFIX)) return undefined;
    return resolveRoute(url.slice(GATEWAY_PREFIX.length), this.deps.providers.providers).provider?.errorShape;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const res of this.active) if (!res.headersSent) res.shouldKeepAlive = false;
    const sockets = this.sockets.close(this.deps.config.shutdownTimeoutMs);
    if (this.active.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await sockets;
  }

  /** The gateway's own refusals (401, 404, 413, 415, 426, 429, 503 at capacity): one info line each. */
  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    shape: ErrorShape,
    status: number,
    kind: GatewayErrorKind,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    this.deps.log.info(
      { status, kind, method: req.method, path: (req.url ?? '').split('?')[0] },
      'gateway: request refused',
    );
    sendError(res, shape, status, kind, message, headers);
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    shape: ErrorShape,
    receivedAt: number,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (this.closing) {
      res.shouldKeepAlive = false;
      markCause(res, 'shutting_down');
      return this.refuse(req, res, shape, 503, 'overloaded', 'aibridge is shutting down; retry in a moment', {
        'retry-after': '1',
      });
    }
    if (route.kind === 'base' && (method === 'HEAD' || method === 'OPTIONS')) {
      // Claude Code checks the base URL with a bodiless HEAD (no auth) before its first call.
      res.writeHead(200, { 'content-length': 0 });
      res.end();
      return;
    }
    if (
      route.kind === 'unknown' ||
      route.kind === 'base' ||
      (route.kind === 'bridged' && method !== 'POST')
    ) {
      const path =
        route.kind === 'unknown'
          ? route.path
          : `/${(req.url ?? '').slice(GATEWAY_PREFIX.length).split('?')[0]}`;
      return this.refuse(req, res, shape, 404, 'not_found', `route not supported: ${method} ${path}`);
    }
    if (route.provider.unavailable) {
      // No Retry-After: this does not pass by waiting, only by fixing AIBRIDGE_SECRET_KEY.
      markCause(res, 'misconfigured');
      return this.refuse(req, res, shape, 503, 'upstream', route.provider.unavailable);
    }
    if (!this.concurrency.tryAcquire()) {
      markCause(res, 'concurrency_limit');
      return this.refuse(
        req,
        res,
        shape,
        503,
        'overloaded',
        'aibridge is at capacity (AIBRIDGE_MAX_CONCURRENCY); try again shortly',
        { 'retry-after': '1' },
      );
    }
    try {
      await this.authorized(req, res, route, shape, receivedAt);
    } finally {
      this.concurrency.release();
    }
  }

  private async authorized(
    req: IncomingMessage,
    res: ServerResponse,
    route: Extract<Route, { kind: 'bridged' | 'passthrough' }>,
    shape: ErrorShape,
    receivedAt: number,
  ): Promise<void> {
    const { provider } = route;
    const credential = chooseCredential(req.headers, provider.byok, provider.name, gatewayToken);
    if (!credential.ok) return this.refuse(req, res, shape, 403, 'permission', credential.message);
    const { token, byok } = credential;
    if (!token) return this.refuse(req, res, shape, 401, 'authentication', MISSING_TOKEN_MESSAGE);
    const auth = await this.deps.auth.authenticate(token);
    if (!auth.ok) return this.refuse(req, res, shape, 401, 'authentication', refusalMessage(auth.reason));
    // Keyed by token and user id (never the secret); checked after authentication so unknown
    // tokens cannot fill the shared store with counters.
    const limited = this.deps.limits.enabled ? await this.deps.limits.admit(auth.actor) : undefined;
    if (limited) {
      return this.refuse(
        req,
        res,
        shape,
        429,
        'rate_limit',
        rateLimitMessage(limited),
        rateLimitHeaders(shape, limited),
      );
    }
    if (!byok && provider.keys.size === 0) {
      return this.refuse(req, res, shape, 403, 'permission', noKeyMessage(provider));
    }
    const contentType = req.headers['content-type'];
    if (
      route.kind === 'bridged' &&
      contentType !== undefined &&
      !contentType.toLowerCase().includes('json')
    ) {
      return this.refuse(
        req,
        res,
        shape,
        415,
        'unsupported_media_type',
        `expected a JSON body (Content-Type: application/json), got ${contentType}`,
      );
    }
    const bodyStartAt = performance.now();
    let body: Buffer;
    let encoded: Buffer | undefined;
    try {
      const pool = route.kind === 'bridged' ? this.bodies : undefined;
      body = await readBody(req, this.deps.config.maxBodyBytes, pool);
      if (route.kind === 'bridged') {
        const read = await readEncodedBody(req, res, body, shape, this.deps.config.maxBodyBytes);
        if (!read) return;
        ({ body, encoded } = read);
      }
    } catch (error) {
      if (error instanceof BodyAbortedError) return;
      if (!(error instanceof BodyTooLargeError)) throw error;
      res.shouldKeepAlive = false;
      return this.refuse(req, res, shape, 413, 'too_large', error.message);
    }
    const deps = {
      recorder: this.deps.recorder,
      metrics: this.metrics,
      providerMetrics: this.deps.providers.metrics,
      log: this.deps.log,
      budgets: this.deps.budgets,
      health: this.deps.health,
      clientUse: this.deps.clientUse,
      tracer: this.deps.tracer,
      limits: this.deps.limits,
    };
    if (route.kind === 'passthrough') return passthrough({ req, res, route, body, byok }, deps);
    const timing = { receivedAt, bodyStartAt, bodyReadAt: performance.now() };
    const raw = encoded ?? body;
    const free = await intercept(
      { req, res, route, actor: auth.actor, body, forward: encoded, timing, byok },
      deps,
    );
    if (free) this.bodies.release(raw);
  }
}
