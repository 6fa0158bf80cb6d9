import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import WebSocket, { type RawData } from 'ws';
import type { UpstreamTimeouts } from '../upstream.js';

/** Events after which the upstream sends nothing more for a turn. */
const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete', 'error']);

/** Handshake headers `ws` sets itself, or that belong to the HTTP request a turn looks like. */
const NOT_ON_HANDSHAKE = new Set(['content-type', 'accept', 'content-length', 'host']);

const EVENT_STREAM: IncomingHttpHeaders = { 'content-type': 'text/event-stream' };

/**
 * The provider's own Responses WebSocket (OpenAI's WebSocket mode), as the relay's dispatcher:
 * one upstream socket per client connection, opened at its first turn with that attempt's
 * headers (the instance key or the person's credential, the client's `openai-beta`), and
 * reopened when a failover changes them. Each turn sends the client's `response.create`
 * message untouched; the upstream's messages come back to the relay as SSE events (each
 * message the `data` of one event, byte for byte), so the same readers record them and the
 * client's `TurnResponse` sends the same text on. A refused handshake, or an `error` event
 * before anything else, is an HTTP error response (so failover, breakers and recording treat
 * it as on HTTP); a socket that fails before answering is unreachable, one that closes
 * mid-turn broke the stream.
 */
export class UpstreamSocket {
  private socket: WebSocket | undefined;
  private signature = '';
  private turn: Turn | undefined;

  /** What the relay calls: `pool.dispatch`, as on an undici pool. */
  readonly pool = {
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) =>
      this.dispatch(options, handler),
  };

  /** Set when the last turn was cut for silence: how long it waited (for the client's close reason). */
  private idled: number | undefined;

  /**
   * `origin`: the instance's base URL origin (http/https); the path comes with each turn.
   * `timeouts`: the instance's — a turn waits `firstByteMs` for its first message and
   * `idleMs` between two, as an HTTP stream does for its headers and between two chunks.
   */
  constructor(
    private readonly origin: string,
    private readonly timeouts: Pick<UpstreamTimeouts, 'firstByteMs' | 'idleMs'>,
  ) {}

  /** How long the last turn waited before it was cut for silence, once (undefined: it was not). */
  takeIdle(): number | undefined {
    const idled = this.idled;
    this.idled = undefined;
    return idled;
  }

  /** The client connection ended: the upstream one goes too (OpenAI cancels what it runs). */
  close(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  private dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers = handshakeHeaders(options.headers);
    const signature = `${options.path}\n${JSON.stringify(headers)}`;
    if (this.socket && this.signature !== signature) this.close();
    const socket = this.socket ?? this.open(options.path, headers, signature);
    const turn = new Turn(
      handler,
      socket,
      () => this.close(),
      this.timeouts,
      (ms) => {
        this.idled = ms;
        this.close();
      },
    );
    this.turn = turn;
    this.idled = undefined;
    handler.onRequestStart?.(turn.controller, {});
    if (turn.controller.aborted) return true;
    const body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(String(options.body ?? ''));
    if (socket.readyState === WebSocket.OPEN) socket.send(body);
    else socket.once('open', () => socket.send(body));
    turn.wait();
    return true;
  }

  /** The running turn, if it runs on `socket` (a replaced socket's late events are ignored). */
  private turnOn(socket: WebSocket): Turn | undefined {
    return this.turn?.socket === socket ? this.turn : undefined;
  }

  private open(path: string, headers: Record<string, string>, signature: string): WebSocket {
    const url = `${this.origin.replace(/^http/, 'ws')}${path}`;
    const socket = new WebSocket(url, { headers, perMessageDeflate: true });
    this.socket = socket;
    this.signature = signature;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary)
        this.turnOn(socket)?.message(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
    });
    socket.on('unexpected-response', (_req, res: IncomingMessage) => {
      this.forget(socket);
      this.turnOn(socket)?.refused(res);
    });
    socket.on('error', (error) => {
      this.forget(socket);
      this.turnOn(socket)?.failed(error);
    });
    socket.on('close', (code) => {
      this.forget(socket);
      this.turnOn(socket)?.failed(new Error(`the provider's WebSocket closed (${code}) during the turn`));
    });
    return socket;
  }

  private forget(socket: WebSocket): void {
    if (this.socket === socket) this.socket = undefined;
  }
}

/** One turn's exchange with the relay's handler. */
class Turn {
  readonly controller: Controller;
  private started = false;
  private done = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    readonly socket: WebSocket,
    abort: () => void,
    private readonly timeouts: Pick<UpstreamTimeouts, 'firstByteMs' | 'idleMs'>,
    private readonly idled: (ms: number) => void,
  ) {
    this.controller = new Controller(
      socket,
      () => {
        if (this.done) return;
        this.done = true;
        this.stopWaiting();
        abort();
        this.handler.onResponseError?.(this.controller, this.controller.reason as Error);
      },
      (paused) => (paused ? this.stopWaiting() : this.wait()),
    );
  }

  /**
   * (Re)starts the wait for the provider's next message: `firstByteMs` for the first, then
   * `idleMs`. Silence past it fails the turn with undici's own codes, so the relay treats it
   * as on HTTP — before anything, a timeout (the next key is tried); mid-stream, the stream is
   * ended cleanly and the interception records `idle_timeout` — and the upstream socket goes.
   */
  wait(): void {
    this.stopWaiting();
    if (this.done || this.controller.paused) return;
    const ms = this.started ? this.timeouts.idleMs : this.timeouts.firstByteMs;
    this.timer = setTimeout(() => {
      if (this.done) return;
      const code = this.started ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT';
      const error = Object.assign(new Error(`the provider's WebSocket sent nothing for ${ms} ms`), { code });
      const streaming = this.started;
      this.failed(error);
      if (streaming) this.idled(ms);
    }, ms);
    this.timer.unref();
  }

  private stopWaiting(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  message(text: Buffer): void {
    if (this.done) return;
    const type = eventType(text);
    if (!this.started && type === 'error') {
      this.errorEvent(text);
      return;
    }
    this.start(200, EVENT_STREAM);
    const lines = text.toString('utf8').replaceAll('\n', '\ndata: ');
    this.handler.onResponseData?.(this.controller, Buffer.from(`event: ${type}\ndata: ${lines}\n\n`));
    if (TERMINAL.has(type)) this.end();
    else this.wait();
  }

  /** The handshake was answered with an HTTP error: relayed as that response. */
  refused(res: IncomingMessage): void {
    if (this.done) return;
    this.start(res.statusCode ?? 502, res.headers);
    res.on('data', (chunk: Buffer) => {
      if (!this.done) this.handler.onResponseData?.(this.controller, chunk);
    });
    res.on('end', () => this.end());
    res.on('error', (error) => this.failed(error));
  }

  failed(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.stopWaiting();
    this.handler.onResponseError?.(this.controller, error);
  }

  /** `{"type":"error","status":…,"error":{…}}` first: the provider refused the turn. */
  private errorEvent(text: Buffer): void {
    let status = 400;
    let error: unknown = {};
    try {
      const event = JSON.parse(text.toString('utf8')) as { status?: unknown; error?: unknown };
      if (typeof event.status === 'number' && event.status >= 400) status = event.status;
      error = event.error ?? {};
    } catch {
      // Not JSON: the provider's status and error are unknown; a plain 400 says it refused.
    }
    this.start(status, { 'content-type': 'application/json' });
    this.handler.onResponseData?.(this.controller, Buffer.from(JSON.stringify({ error })));
    this.end();
  }

  private start(status: number, headers: IncomingHttpHeaders): void {
    if (this.started) return;
    this.started = true;
    this.handler.onResponseStart?.(this.controller, status, headers, '');
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.stopWaiting();
    this.handler.onResponseEnd?.(this.controller, {});
  }
}

/** What the relay may do to a turn in flight: abort it (client gone, retried), pause, resume. */
class Controller implements Dispatcher.DispatchController {
  aborted = false;
  paused = false;
  reason: Error | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly onAbort: () => void,
    /** A paused turn is not silent: its wait stops until it resumes. */
    private readonly onPause: (paused: boolean) => void,
  ) {}

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.onAbort();
  }

  /** A slow client: the upstream socket stops being read, as the HTTP relay pauses its body. */
  pause(): void {
    this.paused = true;
    this.socket.pause();
    this.onPause(true);
  }

  resume(): void {
    this.paused = false;
    this.socket.resume();
    this.onPause(false);
  }
}

function eventType(text: Buffer): string {
  try {
    const event = JSON.parse(text.toString('utf8')) as { type?: unknown };
    return typeof event.type === 'string' ? event.type : 'message';
  } catch {
    return 'message';
  }
}

/** The attempt's headers (name/value pairs) as the handshake's, minus what `ws` sets itself. */
function handshakeHeaders(pairs: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(pairs)) return out;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = String(pairs[i]);
    if (NOT_ON_HANDSHAKE.has(name.toLowerCase())) continue;
    out[name] = String(pairs[i + 1]);
  }
  return out;
}
