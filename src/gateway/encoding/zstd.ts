import { Decompress } from 'fzstd';

/** A zstd body that would decode (or allocate) past the limit. */
export class ZstdTooLargeError extends Error {}

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Windows up to this size are allowed under a smaller limit: zstd -19 streams use 8 MiB. */
const MIN_WINDOW_ALLOWED = 8 * 1024 * 1024;

/**
 * Decodes a zstd body with the pure-JS `fzstd` decoder, never holding more than `limit` decoded
 * bytes. fzstd allocates each frame's window (or declared content size) up front, up to 2 GiB,
 * so every frame header is checked first: a 20-byte body declaring a huge window (over the
 * limit, or 8 MiB when the limit is smaller) or content size is refused before anything is
 * allocated. Output is counted block by block as it is produced.
 */
export function decodeZstd(body: Buffer, limit: number): Buffer {
  checkFrames(body, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > limit) throw new ZstdTooLargeError(`decodes to more than ${limit} bytes`);
    chunks.push(chunk);
  });
  stream.push(body, true);
  return Buffer.concat(chunks, total);
}

/** Walks the frames without decoding them, refusing any whose buffer would pass `limit`. */
function checkFrames(buf: Buffer, limit: number): void {
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < 8) throw new Error('truncated zstd frame');
    const magic = buf.readUInt32LE(at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + buf.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new Error('not zstd data (bad magic number)');
    at = checkFrame(buf, at + 4, limit);
  }
}

function checkFrame(buf: Buffer, at: number, limit: number): number {
  const descriptor = buf[at] as number;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const sizeFlag = descriptor >> 6;
  const sizeBytes = sizeFlag === 0 ? singleSegment : 1 << sizeFlag;
  let pos = at + 1;
  let window = 0;
  if (!singleSegment) {
    const wd = buf[pos++] as number;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  pos += dictBytes;
  if (pos + sizeBytes > buf.length) throw new Error('truncated zstd frame header');
  let contentSize = 0;
  for (let i = sizeBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + (buf[pos + i] as number);
  if (sizeBytes === 2) contentSize += 256;
  pos += sizeBytes;
  if (singleSegment) window = contentSize;
  if (contentSize > limit) throw new ZstdTooLargeError(`declares ${contentSize} bytes`);
  if (window > Math.max(limit, MIN_WINDOW_ALLOWED))
    throw new ZstdTooLargeError(`needs a ${window}-byte window`);
  for (;;) {
    if (pos + 3 > buf.length) throw new Error('truncated zstd block');
    const header = buf.readUIntLE(pos, 3);
    const type = (header >> 1) & 3;
    pos += 3 + (type === 1 ? 1 : header >> 3);
    if (header & 1) break;
  }
  return pos + checksum * 4;
}
