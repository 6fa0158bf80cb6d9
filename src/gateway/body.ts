import type { IncomingMessage } from 'node:http';
import type { BodyPool } from './body-pool.js';

/** The request body exceeds the configured limit (→ 413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than the ${formatBytes(limit)} limit (AIBRIDGE_MAX_BODY_SIZE)`);
  }
}

/** The client went away (or broke the framing) before sending the whole body. */
export class BodyAbortedError extends Error {}

/** What one socket read brings at most (libuv reads 64 KiB at a time). */
const ONE_READ_BYTES = 64 * 1024;

/**
 * Reads a request body into one Buffer, refusing it as soon as it passes `limit` (before it is
 * received when `Content-Length` already says so). With a declared length beyond one socket
 * read, every chunk is copied as it arrives into one buffer of that size (from `pool` when
 * given, so a large body reuses memory an earlier one gave back) and dropped at once: no list
 * of chunks, no join. Otherwise the chunks are joined at the end, and a single chunk is kept.
 */
export function readBody(req: IncomingMessage, limit: number, pool?: BodyPool): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const expected = declared === undefined ? -1 : Number(declared);
  if (expected > limit) return Promise.reject(new BodyTooLargeError(limit));
  // A body that fits in one socket read usually arrives as one chunk: kept as it is, not copied.
  const sized = Number.isSafeInteger(expected) && expected > ONE_READ_BYTES;
  return new Promise((resolve, reject) => {
    const target = sized ? (pool ? pool.acquire(expected) : Buffer.allocUnsafe(expected)) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: Error) => {
      cleanup();
      if (target) pool?.release(target);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > limit) return fail(new BodyTooLargeError(limit));
      if (target) {
        // Node's parser never delivers more than Content-Length; refuse it anyway rather than overflow.
        if (received + chunk.length > target.length)
          return fail(new BodyAbortedError('body longer than Content-Length'));
        chunk.copy(target, received);
      } else chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      if (target) {
        if (received === target.length) resolve(target);
        else fail(new BodyAbortedError('the body ended before its Content-Length'));
      } else if (chunks.length === 1) resolve(chunks[0] as Buffer);
      else resolve(Buffer.concat(chunks, received));
    };
    const onAborted = () =>
      fail(new BodyAbortedError('the client closed the connection while sending the body'));
    const onError = (error: Error) => fail(new BodyAbortedError(error.message));
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
