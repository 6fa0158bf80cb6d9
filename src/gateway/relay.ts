import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { markCause } from '../ops/server-errors.js';
import type { ClientResponse } from './errors.js';
import { clientResponseHeaders } from './headers.js';

/**
 * Watches the bytes going to the client. Either call may return a promise to hold the
 * response back until it settles — used only to make a response's tool calls durable before
 * the client can act on them; otherwise bytes go out as they arrive.
 *
 * Words on the stream path: the relay *completes* when the whole upstream body has reached the
 * client; observers and readers *flush* what they still hold once the body is over; the
 * interception is *ended* (one `end` record); the recorder and gateway *close* at shutdown.
 */
export interface RelayObserver {
  /** Sees each chunk before it is written; a promise holds this chunk (and later ones) until it settles. */
  chunk(chunk: Buffer): Promise<void> | undefined;
  /** The upstream body is complete (every chunk seen); a promise delays the end of the client response. */
  complete(): Promise<void> | undefined;
}

/**
 * Changes the bytes on their way to the client, after the observer has seen them as the
 * provider sent them. Used only to hide what aibridge itself asked the provider for.
 */
interface RelayRewriter {
  /** The bytes to write for this chunk (possibly none). */
  chunk(chunk: Buffer): Buffer;
  /** Whatever is still held once the upstream body is over. */
  end(): Buffer;
}

/**
 * Where an exchange goes: an instance's undici pool (`Upstream`), or the provider's own
 * Responses WebSocket for one client connection (`websocket/upstream-socket.ts`).
 */
export interface RelayTarget {
  readonly pool: Pick<Dispatcher, 'dispatch'>;
}

/** One upstream exchange to relay. */
export interface RelayRequest {
  res: ClientResponse;
  upstream: RelayTarget;
  method: string;
  path: string;
  headers: string[];
  body: Buffer | null;
  /** The provider answered: which headers to add, and who watches the body. */
  onResponse(
    status: number,
    headers: IncomingHttpHeaders,
  ): { headers: Record<string, string>; observer?: RelayObserver; rewriter?: RelayRewriter };
  /** The observer threw: it is dropped (the relay goes on untouched) and this is told why. */
  onObserverError?(error: unknown): void;
  /**
   * Asked when the provider's status arrives, before anything reaches the client: true drops
   * this response (outcome `retry`) so the caller can try another key.
   */
  retry?(status: number, headers: IncomingHttpHeaders): boolean;
}

/** How a relayed exchange came out. */
export type RelayOutcome =
  /** The whole upstream response reached the client. */
  | { kind: 'completed'; status: number }
  /** The client went away first (the upstream request was aborted). */
  | { kind: 'client_gone'; status: number | undefined }
  /**
   * The provider broke the response after it started; the client connection was cut — or,
   * for an event stream silent past the idle timeout (`idle`), ended cleanly.
   */
  | { kind: 'upstream_broken'; status: number; error: Error; idle?: boolean }
  /** No response at all (connection refused, timeout…); nothing was sent to the client. */
  | { kind: 'unreachable'; error: Error }
  /** `retry` took this response: it was dropped, and nothing was sent to the client. */
  | { kind: 'retry'; status: number; headers: IncomingHttpHeaders };

/** The client closed its connection; used to abort the upstream request. */
class ClientGoneError extends Error {}

/** A response dropped for a retry on another key; used to abort it. */
class RetriedError extends Error {}

/**
 * Relays one request to the provider and its response back, byte for byte, as it arrives:
 * status and headers as soon as the provider sends them, then every chunk written through
 * untouched (a copy of the reference goes to the observer first). Back-pressure is passed on:
 * a slow client pauses the upstream socket instead of buffering in memory. If the client
 * leaves, the upstream request is aborted.
 */
export function relay(request: RelayRequest): Promise<RelayOutcome> {
  return new Promise((resolve) => {
    const { res } = request;
    let controller: Dispatcher.DispatchController | undefined;
    let status: number | undefined;
    let observer: RelayObserver | undefined;
    let rewriter: RelayRewriter | undefined;
    let settled = false;
    let gated = false;
    let upstreamComplete = false;
    let streamed = false;
    let clientGone = false;
    const queue: Buffer[] = [];

    const settle = (outcome: RelayOutcome) => {
      if (settled) return;
      settled = true;
      res.off('close', onClose);
      resolve(outcome);
    };
    const onClose = () => {
      if (res.writableFinished) return;
      clientGone = true;
      settle({ kind: 'client_gone', status });
      controller?.abort(new ClientGoneError('the client closed the connection'));
    };
    if (res.destroyed) {
      clientGone = true;
      settle({ kind: 'client_gone', status });
      return;
    }
    res.on('close', onClose);

    let bodyWritten = false;
    const write = (received: Buffer) => {
      const chunk = rewriter ? rewriter.chunk(received) : received;
      if (chunk.length === 0) return;
      bodyWritten = true;
      if (clientGone || res.write(chunk) || !controller || controller.paused) return;
      const paused = controller;
      paused.pause();
      res.once('drain', () => paused.resume());
    };
    // Recording must never break the relay: an observer that throws is dropped, bytes keep flowing.
    const observe = (chunk: Buffer | undefined): Promise<void> | undefined => {
      if (!observer) return undefined;
      try {
        return chunk ? observer.chunk(chunk) : observer.complete();
      } catch (error) {
        observer = undefined;
        request.onObserverError?.(error);
        return undefined;
      }
    };
    const hold = (gate: Promise<void>, chunk: Buffer) => {
      gated = true;
      void gate.then(() => {
        gated = false;
        write(chunk);
        pump();
      });
    };
    const pump = () => {
      while (!gated && queue.length > 0) {
        const chunk = queue.shift() as Buffer;
        const gate = observe(chunk);
        if (gate) return hold(gate, chunk);
        write(chunk);
      }
      if (gated || !upstreamComplete || settled) return;
      const gate = observe(undefined);
      const complete = () => {
        const rest = rewriter?.end();
        if (rest?.length) res.write(rest);
        res.end();
        settle({ kind: 'completed', status: status as number });
      };
      if (gate) void gate.then(complete);
      else complete();
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (clientGone) c.abort(new ClientGoneError('the client closed the connection'));
      },
      onResponseStart(c, statusCode, headers) {
        if (statusCode < 200) return;
        if (request.retry?.(statusCode, headers)) {
          settle({ kind: 'retry', status: statusCode, headers });
          c.abort(new RetriedError('retried on another key'));
          return;
        }
        status = statusCode;
        streamed = String(headers['content-type'] ?? '').startsWith('text/event-stream');
        try {
          const answer = request.onResponse(statusCode, headers);
          observer = answer.observer;
          rewriter = answer.rewriter;
          const relayed = clientResponseHeaders(headers, answer.headers);
          if (rewriter) delete relayed['content-length'];
          if (statusCode >= 500) markCause(res, 'upstream_error');
          res.writeHead(statusCode, relayed);
        } catch (error) {
          c.abort(error as Error);
          return;
        }
        // Headers go out with the first chunk when it came in the same read (one write); if the
        // provider sends headers and then thinks, the client still gets them right away.
        setImmediate(() => {
          if (!bodyWritten && !clientGone && !res.writableEnded && !res.destroyed) res.flushHeaders();
        });
      },
      onResponseData(_c, chunk) {
        if (clientGone || settled) return;
        if (gated || queue.length > 0) {
          queue.push(chunk);
          return;
        }
        const gate = observe(chunk);
        if (gate) hold(gate, chunk);
        else write(chunk);
      },
      onResponseEnd() {
        upstreamComplete = true;
        if (!clientGone) pump();
      },
      onResponseError(_c, error) {
        if (clientGone) return;
        if (status === undefined) {
          settle({ kind: 'unreachable', error });
          return;
        }
        // A stream that went silent past the instance's idle timeout is ended cleanly (the
        // client keeps every event it got); any other break cuts the connection, as the
        // provider's would have.
        const idle = streamed && (error as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT';
        if (idle && !gated && queue.length === 0) res.end();
        else res.destroy();
        settle({ kind: 'upstream_broken', status, error, idle });
      },
    };

    try {
      request.upstream.pool.dispatch(
        { path: request.path, method: request.method, headers: request.headers, body: request.body },
        handler,
      );
    } catch (error) {
      settle({ kind: 'unreachable', error: error as Error });
    }
  });
}
