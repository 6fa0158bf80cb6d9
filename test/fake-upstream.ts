import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseRawHttp } from './fixtures.js';

/** A request as the fake provider received it, bytes and headers exactly. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

/** How the fake answers one request. */
export type Responder = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A fake LLM provider on an ephemeral port: it records every request it receives (so tests can
 * assert what went upstream) and answers with whatever responder is queued — fixture replays,
 * generated streams with delays, errors or disconnects.
 */
export class FakeUpstream {
  readonly received: ReceivedRequest[] = [];
  private readonly queued: Responder[] = [];
  private fallback: Responder = (_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"the fake upstream has no responder queued","type":"server_error"}}');
  };
  private readonly sockets = new Set<Socket>();
  private responses = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeUpstream> {
    let upstream: FakeUpstream | undefined;
    const server = createServer((req, res) => {
      if (upstream) upstream.responses++;
      res.once('close', () => {
        if (upstream) upstream.responses--;
      });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = undefined;
        }
        const received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body,
          json,
        };
        upstream?.received.push(received);
        const responder = upstream?.queued.shift() ?? upstream?.fallback;
        void Promise.resolve(responder?.(received, res)).catch(() => res.destroy());
      });
    });
    server.on('connection', (socket) => {
      upstream?.sockets.add(socket);
      socket.on('close', () => upstream?.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    upstream = new FakeUpstream(server, `http://127.0.0.1:${port}`);
    return upstream;
  }

  /** Answers the next request with `responder` (FIFO). */
  next(...responders: Responder[]): this {
    this.queued.push(...responders);
    return this;
  }

  /** Answers every request without a queued responder. */
  always(responder: Responder): this {
    this.fallback = responder;
    return this;
  }

  /** Forgets received requests and queued responders. */
  reset(): void {
    this.received.length = 0;
    this.queued.length = 0;
  }

  /** Responses not yet finished or closed: a stream the gateway left hanging stays counted. */
  get openResponses(): number {
    return this.responses;
  }

  /** The last request received. */
  get last(): ReceivedRequest {
    const last = this.received[this.received.length - 1];
    if (!last) throw new Error('the fake upstream received nothing');
    return last;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A JSON (or any) body with a status. */
export function reply(status: number, body: string, contentType = 'application/json'): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

/** Options for streamed answers. */
export interface StreamOptions {
  /** Pause before each event after the first (a slow provider; tests never wait on it). */
  delayMs?: number;
  /** Cut the connection after this many events instead of finishing. */
  destroyAfter?: number;
  /**
   * Hold the stream after this many events until `resume` settles (or the client hangs up):
   * how a test knows, without a clock, that part of a stream is in flight and the rest is not.
   */
  pauseAfter?: number;
  /** Resolves when the held stream may go on; never settling holds it until the gateway hangs up. */
  resume?: Promise<void>;
}

/** A promise the test settles: `open()` lets whoever awaits `opened` go on. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** An SSE body sent event by event (events split on blank lines, bytes kept). */
export function stream(body: string, options: StreamOptions = {}): Responder {
  const events = splitEvents(body);
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let flushed: Promise<void> = Promise.resolve();
    for (const [i, event] of events.entries()) {
      if (options.destroyAfter !== undefined && i >= options.destroyAfter) {
        // Once what was written has reached the socket: destroy() drops corked, unsent bytes.
        await flushed;
        res.destroy();
        return;
      }
      if (i > 0 && i === options.pauseAfter && !res.destroyed) {
        const hungUp = new Promise<void>((resolve) => res.once('close', resolve));
        await Promise.race([options.resume ?? hungUp, hungUp]);
      }
      if (i > 0 && options.delayMs) await sleep(options.delayMs);
      if (res.destroyed) return;
      flushed = new Promise((resolve) => res.write(event, () => resolve()));
    }
    res.end();
  };
}

/** Replays a fixture section: a raw `HTTP/` response, an SSE stream or a JSON body. */
export function replay(sectionText: string, options: StreamOptions = {}): Responder {
  if (sectionText.startsWith('HTTP/')) {
    const raw = parseRawHttp(sectionText);
    return (_req, res) => {
      res.writeHead(raw.status, Object.fromEntries(raw.headers));
      res.end(raw.body);
    };
  }
  if (/^(event|data):/m.test(sectionText.slice(0, 200)) && !sectionText.trimStart().startsWith('{')) {
    return stream(sectionText, options);
  }
  return reply(200, sectionText);
}

/** Splits an SSE body into events, each with its trailing blank line(s), so the bytes join back exactly. */
export function splitEvents(body: string): string[] {
  const events: string[] = [];
  const pattern = /\n\n+/g;
  let start = 0;
  for (const match of body.matchAll(pattern)) {
    const end = (match.index ?? 0) + match[0].length;
    events.push(body.slice(start, end));
    start = end;
  }
  if (start < body.length) events.push(body.slice(start));
  return events;
}
