import type { IncomingMessage } from 'node:http';

/** The request body exceeds the configured limit (→ 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than the ${formatBytes(limit)} limit (AIBRIDGE_MAX_BODY_SIZE)`);
  }
}

/** The client went away (or broke the framing) before sending the whole body. */
export class BodyAbortedError extends Error {}

/**
 * Reads a request body into one Buffer, refusing it as soon as it passes `limit` (before it is
 * received when `Content-Length` already says so). With a declared length the bytes are copied
 * once, straight into a buffer of the right size; a single-chunk body is not copied at all.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const expected = declared === undefined ? -1 : Number(declared);
  if (expected > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (chunks.length === 1) resolve(chunks[0] as Buffer);
      else resolve(Buffer.concat(chunks, received));
    };
    const onAborted = () => {
      cleanup();
      reject(new BodyAbortedError('the client closed the connection while sending the body'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new BodyAbortedError(error.message));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  });
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
