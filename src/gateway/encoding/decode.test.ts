import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  plainBody,
  ZSTD_BODIES,
  ZSTD_BOMB_DECLARED,
  ZSTD_BOMB_STREAMED,
} from '../../../test/gateway/zstd-bodies.js';
import {
  CorruptEncodingError,
  contentCodings,
  DecodedTooLargeError,
  decodeBody,
  UnsupportedEncodingError,
} from './decode.js';

const LIMIT = 256 * 1024;
const body = Buffer.from(plainBody('chat', true));
const zeros = Buffer.alloc(8 * 1024 * 1024);

describe('contentCodings', () => {
  it('reads the codings in order, without identity, and refuses unknown ones', () => {
    expect(contentCodings(undefined)).toBeUndefined();
    expect(contentCodings('identity')).toBeUndefined();
    expect(contentCodings('GZIP')).toEqual(['gzip']);
    expect(contentCodings('x-gzip')).toEqual(['gzip']);
    expect(contentCodings('deflate, zstd')).toEqual(['deflate', 'zstd']);
    expect(() => contentCodings('compress')).toThrow(UnsupportedEncodingError);
    expect(() => contentCodings('gzip, lzma')).toThrow(/"lzma"; aibridge reads gzip, br, deflate, zstd/);
  });
});

describe('decodeBody', () => {
  it('decodes gzip, br, deflate (zlib and raw) and zstd', async () => {
    expect(await decodeBody(gzipSync(body), ['gzip'], LIMIT)).toEqual(body);
    expect(await decodeBody(brotliCompressSync(body), ['br'], LIMIT)).toEqual(body);
    expect(await decodeBody(deflateSync(body), ['deflate'], LIMIT)).toEqual(body);
    expect(await decodeBody(deflateRawSync(body), ['deflate'], LIMIT)).toEqual(body);
    const zstd = Buffer.from(ZSTD_BODIES['chat-streaming'] as string, 'base64');
    expect(await decodeBody(zstd, ['zstd'], LIMIT)).toEqual(body);
    expect(await decodeBody(gzipSync(brotliCompressSync(body)), ['br', 'gzip'], LIMIT)).toEqual(body);
  });

  it('stops a decompression bomb at the limit, whatever the coding', async () => {
    for (const [data, coding] of [
      [gzipSync(zeros), 'gzip'],
      [brotliCompressSync(zeros), 'br'],
      [deflateSync(zeros), 'deflate'],
      [Buffer.from(ZSTD_BOMB_DECLARED, 'base64'), 'zstd'],
      [Buffer.from(ZSTD_BOMB_STREAMED, 'base64'), 'zstd'],
    ] as const) {
      expect(data.length).toBeLessThan(LIMIT / 8);
      await expect(decodeBody(data, [coding], LIMIT), coding).rejects.toThrow(DecodedTooLargeError);
    }
  });

  it('refuses a zstd frame whose window alone would pass the limit, before allocating it', async () => {
    // Magic, a descriptor with no content size, a 2 GiB window, and one empty raw block.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00]);
    await expect(decodeBody(header, ['zstd'], LIMIT)).rejects.toThrow(DecodedTooLargeError);
  });

  it('says which coding did not decode', async () => {
    await expect(decodeBody(body, ['gzip'], LIMIT)).rejects.toThrow(CorruptEncodingError);
    await expect(decodeBody(body, ['zstd'], LIMIT)).rejects.toThrow(/not valid zstd/);
    const truncated = Buffer.from(ZSTD_BODIES['chat-streaming'] as string, 'base64').subarray(0, 20);
    await expect(decodeBody(truncated, ['zstd'], LIMIT)).rejects.toThrow(CorruptEncodingError);
    await expect(decodeBody(brotliCompressSync(body).subarray(0, 10), ['br'], LIMIT)).rejects.toThrow(
      CorruptEncodingError,
    );
  });
});
