import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorShape, sendError } from '../errors.js';
import {
  CorruptEncodingError,
  contentCodings,
  DecodedTooLargeError,
  decodeBody,
  UnsupportedEncodingError,
} from './decode.js';

/** A bridged request body ready to read: decoded, and the client's bytes when they differ. */
export interface ReadableBody {
  body: Buffer;
  /** The body exactly as the client sent it, when it was compressed (it goes upstream so). */
  encoded: Buffer | undefined;
}

/**
 * The body of a bridged request as its payload reader needs it: decoded per Content-Encoding
 * (recent Codex builds send zstd), or undefined once the client has been answered with the
 * error in its provider's shape — 415 for a coding aibridge cannot read, 400 for bytes that do
 * not decode, 413 when the decoded body passes the limit.
 */
export async function readEncodedBody(
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  shape: ErrorShape,
  limit: number,
): Promise<ReadableBody | undefined> {
  try {
    const codings = contentCodings(req.headers['content-encoding']);
    if (!codings) return { body: raw, encoded: undefined };
    return { body: await decodeBody(raw, codings, limit), encoded: raw };
  } catch (error) {
    if (error instanceof UnsupportedEncodingError) {
      sendError(res, shape, 415, 'unsupported_media_type', error.message);
    } else if (error instanceof DecodedTooLargeError) {
      sendError(res, shape, 413, 'too_large', error.message);
    } else if (error instanceof CorruptEncodingError) {
      sendError(res, shape, 400, 'invalid_request', error.message);
    } else {
      throw error;
    }
    return undefined;
  }
}
