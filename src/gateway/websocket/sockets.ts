import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { AuthResult } from '../../auth/authenticator.js';
import type { Actor } from '../../auth/roles.js';
import type { RateLimits } from '../../limits/rate-limits.js';
import { chooseCredential } from '../../providers/credential.js';
import { gatewayToken, MISSING_TOKEN_MESSAGE, noKeyMessage, refusalMessage } from '../credentials.js';
import { type ErrorShape, sendError } from '../errors.js';
import { relayOverKeys } from '../failover.js';
import { upstreamRequestHeaders } from '../headers.js';
import { type InterceptDeps, intercept } from '../intercept/interceptor.js';
import type { ConcurrencyLimiter } from '../limits.js';
import type { Route } from '../provider.js';
import { rateLimitHeaders, rateLimitMessage } from '../rate-limit-headers.js';
import { CLOSE, ResponsesConnection, type SocketTurn } from './connection.js';
import { refuseUpgrade } from './upgrade.js';
import type { UpstreamSocket } from './upstream-socket.js';

/** What the WebSocket side of the gateway shares with its HTTP side. */
export interface SocketDeps extends InterceptDeps {
  authenticate(token: string): Promise<AuthResult>;
  concurrency: ConcurrencyLimiter;
  limits: RateLimits;
  /** Largest `response.create` message, as for HTTP bodies (AIBRIDGE_MAX_BODY_SIZE). */
  maxMessageBytes: number;
}

/**
 * The Responses API over WebSocket (`GET …/v1/responses`, `Upgrade: websocket`), bridged to the
 * provider instance's HTTP streaming API or relayed to its own WebSocket: authenticated at the upgrade with the same tokens
 * (and BYOK policy, keys and failover as HTTP), then each
 * turn goes through the same limits, interceptor and recording as an HTTP request.
 */
export class ResponsesSockets {
  private readonly server = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  private readonly open = new Set<ResponsesConnection>();

  constructor(private readonly deps: SocketDeps) {
    this.server.options.maxPayload = deps.maxMessageBytes;
  }

  /** Takes an upgrade on a bridged `/responses` route, or refuses it in the provider's shape. */
  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: Extract<Route, { kind: 'bridged' }>,
  ): Promise<void> {
    const { provider } = route;
    const shape = provider.errorShape;
    const credential = chooseCredential(req.headers, provider.byok, provider.name, gatewayToken);
    if (!credential.ok) return refuseUpgrade(socket, 403, shape('permission', credential.message));
    const { token, byok } = credential;
    if (!token) return refuseUpgrade(socket, 401, shape('authentication', MISSING_TOKEN_MESSAGE));
    const auth = await this.deps.authenticate(token);
    if (!auth.ok) return refuseUpgrade(socket, 401, shape('authentication', refusalMessage(auth.reason)));
    if (!byok && provider.keys.size === 0) {
      return refuseUpgrade(socket, 403, shape('permission', noKeyMessage(provider)));
    }
    this.server.handleUpgrade(req, socket, head, (ws) => {
      const connection = new ResponsesConnection(ws, req, route, {
        actor: async () => {
          const again = await this.deps.authenticate(token);
          return again.ok ? again.actor : { refused: refusalMessage(again.reason) };
        },
        run: (turn, actor) => this.run(turn, actor, shape, byok),
      });
      this.open.add(connection);
      ws.on('close', () => this.open.delete(connection));
    });
  }

  /** Shutdown: lets running turns finish (cut after `timeoutMs`), closing every socket with 1001. */
  async close(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => {
      for (const client of this.server.clients) client.terminate();
    }, timeoutMs);
    await Promise.all([...this.open].map((connection) => connection.shutdown()));
    clearTimeout(timer);
    for (const client of this.server.clients) client.close(CLOSE.goingAway, 'aibridge is shutting down');
  }

  private async run(
    turn: SocketTurn,
    actor: Actor,
    shape: ErrorShape,
    byok: { hint: string } | undefined,
  ): Promise<void> {
    const { res } = turn;
    if (!this.deps.concurrency.tryAcquire()) {
      return sendError(
        res,
        shape,
        503,
        'overloaded',
        'aibridge is at capacity (AIBRIDGE_MAX_CONCURRENCY); try again shortly',
        { 'retry-after': '1' },
      );
    }
    try {
      const limited = this.deps.limits.enabled ? await this.deps.limits.admit(actor) : undefined;
      if (limited) {
        return sendError(
          res,
          shape,
          429,
          'rate_limit',
          rateLimitMessage(limited),
          rateLimitHeaders(shape, limited),
        );
      }
      if (!turn.recorded && turn.target) return await this.warmUp(turn, byok !== undefined, turn.target);
      const now = performance.now();
      await intercept(
        {
          req: turn.req,
          res,
          route: turn.route,
          actor,
          body: turn.body,
          forward: turn.forward,
          byok,
          target: turn.target,
          timing: { receivedAt: turn.receivedAt, bodyStartAt: now, bodyReadAt: now },
        },
        this.deps,
      );
    } finally {
      this.deps.concurrency.release();
    }
  }

  /**
   * A warm-up (`generate: false`) on a relayed connection: the provider's socket readies its
   * state and answers with an empty response; relayed over the keys like a turn, not recorded
   * (nothing is generated, as when aibridge answers it itself for an HTTP upstream).
   */
  private async warmUp(turn: SocketTurn, ownCredential: boolean, target: UpstreamSocket): Promise<void> {
    const { provider } = turn.route;
    await relayOverKeys(
      provider,
      {
        res: turn.res,
        method: 'POST',
        path: provider.upstream.path(turn.route.path, ''),
        body: turn.forward ?? turn.body,
        onResponse: () => ({ headers: {} }),
      },
      (key) =>
        upstreamRequestHeaders(
          turn.req.rawHeaders,
          provider.upstreamHeaders(turn.req.headers, key),
          ownCredential,
        ),
      this.deps.providerMetrics,
      !ownCredential,
      target,
    );
  }
}
