import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyAbortedError, BodyTooLargeError, readBody } from './body.js';
import { BodyPool } from './body-pool.js';

describe('BodyPool', () => {
  it('hands a large body the memory an earlier one gave back', () => {
    const pool = new BodyPool();
    const first = pool.acquire(3 * 1024 * 1024);
    first.fill(1);
    pool.release(first);
    expect(pool.idleSize).toBe(4 * 1024 * 1024);
    const second = pool.acquire(3 * 1024 * 1024 + 5);
    expect(second.length).toBe(3 * 1024 * 1024 + 5);
    expect(second.buffer).toBe(first.buffer);
    expect(pool.idleSize).toBe(0);
  });

  it('takes back only what it handed out, once, and keeps at most its idle limit', () => {
    const pool = new BodyPool(1024 * 1024);
    const small = pool.acquire(1000);
    pool.release(small);
    pool.release(Buffer.alloc(512 * 1024));
    expect(pool.idleSize).toBe(0);
    const a = pool.acquire(600 * 1024);
    const b = pool.acquire(600 * 1024);
    pool.release(a);
    pool.release(a);
    pool.release(b);
    expect(pool.idleSize).toBe(1024 * 1024);
  });
});

describe('readBody', () => {
  let server: Server;
  let url: string;
  let read: (req: IncomingMessage) => Promise<Buffer>;
  const results: Array<Buffer | Error> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      read(req).then(
        (body) => {
          results.push(body);
          res.end(String(body.length));
        },
        (error: Error) => {
          results.push(error);
          res.writeHead(413, { connection: 'close' }).end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends `parts` one write at a time (so they arrive as several chunks), declared or chunked. */
  const send = (parts: Buffer[], declared: boolean) =>
    new Promise<number>((resolve) => {
      const length = parts.reduce((sum, part) => sum + part.length, 0);
      const req = request(`${url}/`, {
        method: 'POST',
        headers: declared ? { 'content-length': length } : { 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      // A refused body may have its connection closed while parts are still on their way.
      req.on('error', () => resolve(0));
      const next = (i: number) => {
        if (i === parts.length) return req.end();
        req.write(parts[i], () => setImmediate(() => next(i + 1)));
      };
      next(0);
    });

  const parts = (count: number, size: number) =>
    Array.from({ length: count }, (_, i) => Buffer.alloc(size, 97 + (i % 26)));

  it('reads a large declared body into one buffer from the pool, byte for byte', async () => {
    const pool = new BodyPool();
    read = (req) => readBody(req, 16 * 1024 * 1024, pool);
    const sent = parts(12, 100_000);
    expect(await send(sent, true)).toBe(200);
    const body = results.at(-1) as Buffer;
    expect(body.equals(Buffer.concat(sent))).toBe(true);
    pool.release(body);
    expect(pool.idleSize).toBeGreaterThan(0);
  });

  it('reads chunked bodies and small ones as before', async () => {
    read = (req) => readBody(req, 16 * 1024 * 1024, new BodyPool());
    const chunked = parts(5, 70_000);
    expect(await send(chunked, false)).toBe(200);
    expect((results.at(-1) as Buffer).equals(Buffer.concat(chunked))).toBe(true);
    const small = parts(1, 2000);
    expect(await send(small, true)).toBe(200);
    expect((results.at(-1) as Buffer).equals(small[0] as Buffer)).toBe(true);
  });

  it('refuses a body past the limit, declared or not, and gives its memory back', async () => {
    const pool = new BodyPool();
    read = (req) => readBody(req, 300_000, pool);
    expect(await send(parts(4, 100_000), true)).not.toBe(200);
    expect(results.at(-1)).toBeInstanceOf(BodyTooLargeError);
    expect(await send(parts(4, 100_000), false)).not.toBe(200);
    expect(results.at(-1)).toBeInstanceOf(BodyTooLargeError);
    expect(pool.idleSize).toBe(0);
  });

  it('reports a client that leaves mid-body as aborted', async () => {
    const pool = new BodyPool();
    read = (req) => readBody(req, 16 * 1024 * 1024, pool);
    const before = results.length;
    await new Promise<void>((resolve) => {
      const req = request(`${url}/`, { method: 'POST', headers: { 'content-length': 1_000_000 } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(300_000, 1), () => setTimeout(() => req.destroy(), 20));
    });
    await expect.poll(() => results.length).toBe(before + 1);
    expect(results.at(-1)).toBeInstanceOf(BodyAbortedError);
    expect(pool.idleSize).toBe(1024 * 1024);
  });
});
