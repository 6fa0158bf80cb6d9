import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import type { ClientResponse } from '../errors.js';
import { SseParser } from '../sse/parser.js';

/** Past this many bytes queued on the socket, the relay pauses the upstream (back-pressure). */
const HIGH_WATER = 1024 * 1024;

/** What a turn needs from the client's socket (`ws`'s WebSocket, narrowed). */
export interface TurnSocket {
  readonly bufferedAmount: number;
  send(data: string, callback: (error?: Error) => void): void;
}

/** How a turn came out, for the connection to decide what follows. */
export type TurnEnd = 'completed' | 'failed' | 'broken' | 'client_gone';

/**
 * One `response.create` turn seen as an HTTP response, so the interceptor and relay run it
 * unchanged: the upstream's SSE events go to the client as JSON text messages (each event's
 * `data`, as OpenAI's WebSocket mode sends them; `[DONE]` is not an event there), and an HTTP
 * error from the provider or from aibridge becomes one `{"type":"error","status":…}` message,
 * the shape Codex and the Agents SDK read. `completed.output` is kept for chaining.
 */
export class TurnResponse extends EventEmitter implements ClientResponse {
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  private status = 0;
  private errorBody: Buffer[] | undefined;
  private readonly parser = new SseParser((_name, data) => this.event(data));
  /** The `response` of the turn's `response.completed` event (or its last response event). */
  completed: { id?: string; output?: unknown[] } | undefined;
  /** Resolves once the turn is over, however it ended. */
  readonly done: Promise<TurnEnd>;
  private finish!: (end: TurnEnd) => void;

  constructor(private readonly socket: TurnSocket) {
    super();
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): this {
    this.headersSent = true;
    this.status = status;
    const type = String(headers['content-type'] ?? '');
    if (status >= 400 || !type.startsWith('text/event-stream')) this.errorBody = [];
    return this;
  }

  flushHeaders(): void {}

  write(chunk: Buffer): boolean {
    if (this.destroyed) return false;
    if (this.errorBody) this.errorBody.push(Buffer.from(chunk));
    else this.parser.feed(chunk);
    return this.socket.bufferedAmount < HIGH_WATER;
  }

  end(chunk?: string): this {
    if (this.writableEnded) return this;
    if (chunk !== undefined) this.write(Buffer.from(chunk));
    this.writableEnded = true;
    if (this.errorBody) this.sendError(Buffer.concat(this.errorBody));
    else this.parser.flush();
    this.writableFinished = true;
    this.finish(this.errorBody ? 'failed' : 'completed');
    this.emit('close');
    return this;
  }

  /** The provider broke the stream (the relay cut it): the client is told, as an error event. */
  destroy(): this {
    if (this.destroyed || this.writableFinished) return this;
    this.destroyed = true;
    this.send(
      JSON.stringify({
        type: 'error',
        status: 502,
        error: {
          type: 'server_error',
          code: 'bad_gateway',
          message: 'the provider broke the response stream',
        },
      }),
    );
    this.finish('broken');
    this.emit('close');
    return this;
  }

  /** The client's socket closed mid-turn: the relay aborts the upstream request, as on HTTP. */
  clientGone(): void {
    if (this.destroyed || this.writableFinished) return;
    this.destroyed = true;
    this.finish('client_gone');
    this.emit('close');
  }

  private event(data: Buffer | undefined): void {
    if (!data || data.length === 0) return;
    const text = data.toString('utf8');
    if (text === '[DONE]') return;
    if (text.includes('"response.completed"') || text.includes('"response.incomplete"')) {
      this.completed = responseOf(text);
    }
    this.send(text);
  }

  private sendError(body: Buffer): void {
    let error: unknown;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
      error = parsed.error ?? parsed;
    } catch {
      error = { type: 'server_error', message: body.toString('utf8') };
    }
    const status = this.status >= 400 ? this.status : 502;
    this.send(JSON.stringify({ type: 'error', status, error }));
  }

  private send(text: string): void {
    this.socket.send(text, () => {
      if (this.socket.bufferedAmount < HIGH_WATER) this.emit('drain');
    });
  }
}

function responseOf(text: string): { id?: string; output?: unknown[] } | undefined {
  try {
    const event = JSON.parse(text) as { type?: string; response?: { id?: string; output?: unknown[] } };
    return event.type === 'response.completed' || event.type === 'response.incomplete'
      ? event.response
      : undefined;
  } catch {
    return undefined;
  }
}
