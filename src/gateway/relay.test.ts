import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, gate, reply, stream } from '../../test/fake-upstream.js';
import { type RelayObserver, type RelayOutcome, relay } from './relay.js';
import { Upstream } from './upstream.js';

let upstream: FakeUpstream;
let provider: Upstream;
let server: Server;
let url: string;
let observer: () => RelayObserver | undefined;
const outcomes: RelayOutcome[] = [];
const observerErrors: unknown[] = [];

beforeAll(async () => {
  upstream = await FakeUpstream.start();
  provider = new Upstream(`${upstream.url}/base/`);
  server = createServer((req, res) => {
    void relay({
      res,
      upstream: provider,
      method: req.method ?? 'GET',
      path: provider.path(req.url ?? '/', ''),
      headers: [],
      body: null,
      onResponse: () => ({ headers: { 'x-added': 'yes' }, observer: observer() }),
      onObserverError: (error) => observerErrors.push(error),
    }).then((outcome) => outcomes.push(outcome));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await provider.close();
  await upstream.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('relay', () => {
  it('keeps the base path, relays status, headers and bytes, and adds its own headers', async () => {
    observer = () => undefined;
    upstream.next(reply(418, 'teapot', 'text/plain'));
    const res = await fetch(`${url}/x?q=1`);
    expect(res.status).toBe(418);
    expect(res.headers.get('x-added')).toBe('yes');
    expect(await res.text()).toBe('teapot');
    expect(upstream.last.url).toBe('/base/x?q=1');
    expect(outcomes.at(-1)).toEqual({ kind: 'completed', status: 418 });
  });

  it('drops an observer that throws and relays the rest untouched', async () => {
    let calls = 0;
    observer = () => ({
      chunk: () => {
        calls++;
        throw new Error('reader bug');
      },
      complete: () => undefined,
    });
    const body = 'data: 1\n\ndata: 2\n\ndata: 3\n\n';
    upstream.next(stream(body, { delayMs: 5 }));
    const res = await fetch(`${url}/s`);
    expect(await res.text()).toBe(body);
    expect(calls).toBe(1);
    expect(observerErrors).toHaveLength(1);
  });

  it('holds a chunk until its gate opens, keeping order', async () => {
    const held = gate();
    const release = gate();
    let first = true;
    observer = () => ({
      chunk: () => {
        if (!first) return undefined;
        first = false;
        held.open();
        return release.opened;
      },
      complete: () => undefined,
    });
    upstream.next(stream('data: a\n\ndata: b\n\n', { delayMs: 5 }));
    const res = await fetch(`${url}/g`);
    const text = res.text();
    await held.opened;
    release.open();
    expect(await text).toBe('data: a\n\ndata: b\n\n');
  });
});
