import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { Actor } from '../../auth/roles.js';
import type { Route } from '../provider.js';
import { ResponseChain } from './chain.js';
import { type TurnEnd, TurnResponse } from './turn-response.js';
import { UpstreamSocket } from './upstream-socket.js';

/** Close codes (RFC 6455 §7.4.1) the connection ends with. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupported: 1003,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  tryAgain: 1013,
} as const;

/** One bridged turn to run: what the gateway's HTTP path gets from a request. */
export interface SocketTurn {
  route: Extract<Route, { kind: 'bridged' }>;
  req: Pick<IncomingMessage, 'headers' | 'rawHeaders' | 'method'>;
  res: TurnResponse;
  body: Buffer;
  forward: Buffer | undefined;
  receivedAt: number;
  /** The provider's own socket, when the instance relays WebSocket turns to it. */
  target: UpstreamSocket | undefined;
  /** False for a warm-up (`generate: false`) relayed to that socket: nothing is generated or recorded. */
  recorded: boolean;
}

/** What a connection asks of the gateway for each turn. */
export interface TurnRunner {
  /** Authorises and runs one turn; resolves when it is over. Refusals go to `turn.res`. */
  run(turn: SocketTurn, actor: Actor): Promise<void>;
  /** Re-checks the token before each turn (revocations reach open sockets too); undefined = refused. */
  actor(): Promise<Actor | { refused: string }>;
}

/** Headers of the upgrade request that mean nothing on the HTTP request a turn becomes. */
const WS_ONLY = /^(sec-websocket-|upgrade$|connection$)/i;

/**
 * One client WebSocket on `/responses`, as OpenAI serves it: turns run one at a time, each
 * `response.create` message bridged to a streaming `POST /responses` — or, when the instance
 * has `settings.websockets`, relayed untouched to the provider's own WebSocket (one per client
 * connection, which keeps the chain state itself) — and recorded as its own interception.
 * Other client messages (Codex's `response.processed` acknowledgements) need no answer;
 * anything that is not a JSON object is refused with an `error` event.
 */
export class ResponsesConnection {
  private readonly chain = new ResponseChain();
  private readonly queue: Buffer[] = [];
  private current: TurnResponse | undefined;
  private closing = false;
  private readonly rawHeaders: string[];
  private readonly upstream: UpstreamSocket | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly upgrade: IncomingMessage,
    private readonly route: Extract<Route, { kind: 'bridged' }>,
    private readonly runner: TurnRunner,
  ) {
    this.rawHeaders = [];
    for (let i = 0; i < upgrade.rawHeaders.length; i += 2) {
      const name = upgrade.rawHeaders[i] as string;
      if (WS_ONLY.test(name) || name.toLowerCase() === 'content-type') continue;
      this.rawHeaders.push(name, upgrade.rawHeaders[i + 1] as string);
    }
    this.rawHeaders.push('content-type', 'application/json', 'accept', 'text/event-stream');
    this.upstream = route.provider.websockets
      ? new UpstreamSocket(route.provider.upstream.origin, route.provider.upstream.timeouts)
      : undefined;
    ws.on('message', (data: RawData, isBinary: boolean) => this.message(data, isBinary));
    ws.on('close', () => this.gone());
    ws.on('error', () => this.gone());
  }

  private gone(): void {
    this.current?.clientGone();
    this.upstream?.close();
  }

  /** True while a turn is running. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Shutdown: no new turns; the connection closes (1001) once the current turn is over. */
  shutdown(): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    if (!this.current) {
      this.ws.close(CLOSE.goingAway, 'aibridge is shutting down');
      return Promise.resolve();
    }
    return this.current.done.then(() => undefined);
  }

  private message(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      this.ws.close(CLOSE.unsupported, 'binary messages are not part of the Responses protocol');
      return;
    }
    this.queue.push(buf);
    if (!this.current) void this.next();
  }

  private async next(): Promise<void> {
    const buf = this.queue.shift();
    if (!buf) return;
    await this.turn(buf).catch(() => this.ws.terminate());
    if (this.closing) {
      this.ws.close(CLOSE.goingAway, 'aibridge is shutting down');
      return;
    }
    void this.next();
  }

  private async turn(buf: Buffer): Promise<void> {
    const receivedAt = performance.now();
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(buf.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      this.error(
        400,
        'invalid_request_error',
        'each message must be a JSON object (a "response.create" event)',
      );
      return;
    }
    if (message.type !== 'response.create') return;
    const actor = await this.runner.actor();
    if ('refused' in actor) {
      this.error(401, 'invalid_request_error', actor.refused, 'invalid_api_key');
      this.ws.close(CLOSE.policy, 'aibridge token refused');
      return;
    }
    const { type: _type, ...request } = message;
    const client = { ...request, stream: true };
    if (this.upstream) {
      // The provider's socket gets the client's message as sent; the body is for reading.
      await this.run(actor, receivedAt, Buffer.from(JSON.stringify(client)), buf, request.generate !== false);
      return;
    }
    if (request.generate === false) return this.warmUp(request);
    const expanded = this.chain.expand(client);
    const forward = expanded === client ? undefined : Buffer.from(JSON.stringify(expanded));
    const { res, end } = await this.run(
      actor,
      receivedAt,
      Buffer.from(JSON.stringify(client)),
      forward,
      true,
    );
    if (end === 'completed' && res.completed) this.chain.completed(expanded, res.completed);
    else this.chain.forget();
  }

  /** Runs one turn through the gateway and waits until it is over. */
  private async run(
    actor: Actor,
    receivedAt: number,
    body: Buffer,
    forward: Buffer | undefined,
    recorded: boolean,
  ): Promise<{ res: TurnResponse; end: TurnEnd }> {
    const res = new TurnResponse(this.ws);
    this.current = res;
    try {
      await this.runner.run(
        {
          route: this.route,
          req: { headers: this.upgrade.headers, rawHeaders: this.rawHeaders, method: 'POST' },
          res,
          body,
          forward,
          receivedAt,
          target: this.upstream,
          recorded,
        },
        actor,
      );
      if (!res.writableFinished && !res.destroyed) res.end();
      const end = await res.done;
      const idleMs = this.upstream?.takeIdle();
      if (end === 'broken') this.ws.close(CLOSE.internal, 'the provider broke the response stream');
      else if (idleMs !== undefined) {
        // As on HTTP, a silent stream is ended cleanly: the client keeps what it got and is told why.
        this.closing = true;
        this.queue.length = 0;
        this.ws.close(CLOSE.normal, `the provider sent nothing for ${idleMs / 1000} s (idle timeout)`);
      }
      return { res, end };
    } finally {
      this.current = undefined;
    }
  }

  /**
   * `generate: false` (Codex's prewarm) asks only to get the request state ready; an HTTP
   * upstream has no such thing, so aibridge answers it itself — an empty completed response to
   * chain from — and spells its input out in the turn that continues it. Nothing is generated,
   * so nothing is recorded.
   */
  private warmUp(request: Record<string, unknown>): void {
    const { generate: _generate, ...sent } = this.chain.expand(request);
    const response = {
      id: `resp_aibridge_${randomUUID().replaceAll('-', '')}`,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: request.model,
      output: [],
      usage: null,
    };
    this.ws.send(
      JSON.stringify({
        type: 'response.created',
        sequence_number: 0,
        response: { ...response, status: 'in_progress' },
      }),
    );
    this.ws.send(JSON.stringify({ type: 'response.completed', sequence_number: 1, response }));
    this.chain.completed(sent, response, true);
  }

  private error(status: number, type: string, message: string, code: string | null = null): void {
    this.ws.send(JSON.stringify({ type: 'error', status, error: { type, code, message, param: null } }));
  }
}
