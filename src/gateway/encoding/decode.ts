import { promisify } from 'node:util';
import { brotliDecompress, constants, gunzip, inflate, inflateRaw } from 'node:zlib';
import { decodeZstd, ZstdTooLargeError } from './zstd.js';

/** The body's Content-Encoding is not one aibridge can read (→ 415). */
export class UnsupportedEncodingError extends Error {}

/** The body does not decode as its Content-Encoding says (→ 400). */
export class CorruptEncodingError extends Error {}

/** The decoded body passes the body limit: a decompression bomb, or just too big (→ 413). */
export class DecodedTooLargeError extends Error {}

/** The encodings aibridge decodes, as they appear in Content-Encoding. */
const SUPPORTED_ENCODINGS = ['gzip', 'br', 'deflate', 'zstd'] as const;

type Encoding = (typeof SUPPORTED_ENCODINGS)[number];

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

/**
 * The codings named by a Content-Encoding header, in the order they were applied, or undefined
 * when the body is not encoded at all (no header, or only `identity`). Unknown codings throw.
 */
export function contentCodings(header: string | undefined): Encoding[] | undefined {
  if (header === undefined) return undefined;
  const codings: Encoding[] = [];
  for (const part of header.split(',')) {
    const coding = part.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    const known = coding === 'x-gzip' ? 'gzip' : coding;
    if (!(SUPPORTED_ENCODINGS as readonly string[]).includes(known)) {
      throw new UnsupportedEncodingError(
        `unsupported Content-Encoding "${coding}"; aibridge reads ${SUPPORTED_ENCODINGS.join(', ')}`,
      );
    }
    codings.push(known as Encoding);
  }
  return codings.length > 0 ? codings : undefined;
}

/**
 * Decodes a compressed request body so it can be read for recording (the client's bytes still
 * go upstream as they came). The decoded size counts against the same `limit` as plain bodies:
 * zlib stops at `maxOutputLength`, zstd at its frame headers and then block by block, so a
 * small bomb never expands in memory.
 */
export async function decodeBody(body: Buffer, codings: readonly Encoding[], limit: number): Promise<Buffer> {
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) out = await decodeOne(out, codings[i] as Encoding, limit);
  return out;
}

async function decodeOne(body: Buffer, coding: Encoding, limit: number): Promise<Buffer> {
  const options = { maxOutputLength: limit };
  try {
    switch (coding) {
      case 'gzip':
        return await gunzipAsync(body, options);
      case 'br':
        return await brotliAsync(body, options);
      case 'deflate':
        // RFC 9110 says zlib-wrapped; some clients send raw deflate, as browsers accept too.
        return await inflateAsync(body, options).catch((error: unknown) =>
          isZlibHeaderError(error) ? inflateRawAsync(body, options) : Promise.reject(error),
        );
      case 'zstd':
        return decodeZstd(body, limit);
    }
  } catch (error) {
    if (error instanceof ZstdTooLargeError || isTooLarge(error)) {
      throw new DecodedTooLargeError(
        `the ${coding}-encoded request body decodes to more than the body limit (AIBRIDGE_MAX_BODY_SIZE)`,
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new CorruptEncodingError(`the request body is not valid ${coding} (Content-Encoding): ${reason}`);
  }
}

function isTooLarge(error: unknown): boolean {
  return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}

function isZlibHeaderError(error: unknown): boolean {
  return (error as { errno?: number }).errno === constants.Z_DATA_ERROR;
}
