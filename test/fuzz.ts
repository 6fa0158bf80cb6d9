import fc from 'fast-check';
import { expect } from 'vitest';
import { apiRoutes } from '../src/api/index.js';
import { contractProblem } from './api-contract.js';
import type { TestServer } from './server.js';

/** Every control-plane list (GET without a path parameter), read from the routes the document is built from. */
export const LIST_PATHS: string[] = apiRoutes
  .filter((route) => route.method === 'GET' && !route.path.includes('{'))
  .map((route) => route.path);

/** Bytes percent-encoded one by one: NUL, invalid UTF-8 and lone surrogates' encodings included. */
const rawBytes = fc
  .uint8Array({ maxLength: 24 })
  .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
/** Text a person might type into the search box: the q grammar's keys and metacharacters. */
const queryText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'model:',
        'provider:',
        'client:',
        'user:',
        'session:',
        'started_after:',
        '"',
        "'",
        '\\',
        '%',
        '_',
        ';',
        '--',
        '*',
        ' ',
        'OR',
        '(',
        ')',
        ':',
        '\u0000',
      ),
      fc.string({ maxLength: 8, unit: 'grapheme' }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => encodeURIComponent(parts.join('')));
const value = fc.oneof(
  rawBytes,
  queryText,
  fc.integer().map(String),
  fc.constantFrom('', '-1', '1e9', 'NaN', '0x10'),
);
const key = fc.constantFrom(
  'q',
  'limit',
  'offset',
  'after_id',
  'before_id',
  'after',
  'before',
  'cursor',
  'group_by',
  'bucket',
  'from',
  'to',
  'user',
  'provider',
  'model',
  'format',
);
/** A query string of a few such pairs (a key may repeat). */
const queryString = fc
  .array(fc.tuple(key, value), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/** How a fuzz run sends its cases. */
export interface FuzzOptions {
  /**
   * Through `app.inject` (Fastify's in-process request, no socket or HTTP parser) instead of a
   * real HTTP request: most of a case's cost is then the server's own work, which is what the
   * fuzzing is about. Bodies are still checked against the OpenAPI document.
   */
  inProcess?: boolean;
  /**
   * Properties checked side by side (each with its share of the cases and its own seed), so the
   * server's database works while the next cases are handled: a PostgreSQL server runs in
   * another process, on another core.
   */
  concurrency?: number;
}

/**
 * Generated query strings against every list endpoint: each answer is the documented success or
 * a 4xx in the documented error shape (the test server checks bodies against the OpenAPI
 * document), never a 500, and always an answer (vitest's timeout bounds a hang).
 */
export async function fuzzListEndpoints(
  server: TestServer,
  numRuns: number,
  options: FuzzOptions = {},
): Promise<number> {
  let requests = 0;
  const get = options.inProcess ? injected(server) : overHttp(server);
  const property = fc.asyncProperty(fc.constantFrom(...LIST_PATHS), queryString, async (path, query) => {
    const url = `${path}?${query}`;
    const { status, body } = await get(url);
    requests++;
    expect(status, url).toBeLessThan(500);
    if (status >= 400) expect(JSON.parse(body)).toHaveProperty('message');
  });
  await sideBySide(numRuns, options.concurrency ?? 1, (runs) => fc.assert(property, { numRuns: runs }));
  return requests;
}

type Get = (url: string) => Promise<{ status: number; body: string }>;

function overHttp(server: TestServer): Get {
  return async (url) => {
    const res = await server.request(url);
    return { status: res.status, body: await res.text() };
  };
}

function injected(server: TestServer): Get {
  return async (url) => {
    const res = await server.running.app.inject({
      method: 'GET',
      url,
      headers: { 'coder-session-token': server.ownerToken },
    });
    const problem = contractProblem('GET', url, res.statusCode, res.body);
    if (problem) throw new Error(`GET ${url}: ${problem}`);
    return { status: res.statusCode, body: res.body };
  };
}

/** Runs `check` `concurrency` times at once, splitting `numRuns` between them. */
async function sideBySide(
  numRuns: number,
  concurrency: number,
  check: (runs: number) => Promise<void>,
): Promise<void> {
  const share = Math.floor(numRuns / concurrency);
  await Promise.all(
    Array.from({ length: concurrency }, (_, i) =>
      check(i === 0 ? numRuns - share * (concurrency - 1) : share),
    ),
  );
}

/** A gateway route and how its provider shapes an error body. */
const GATEWAY_ROUTES = [
  {
    path: '/api/v2/aibridge/anthropic/v1/messages',
    auth: 'x-api-key',
    error: (b: unknown) => (b as { type?: string }).type === 'error',
  },
  {
    path: '/api/v2/aibridge/openai/v1/chat/completions',
    auth: 'authorization',
    error: (b: unknown) => typeof (b as { error?: unknown }).error === 'object',
  },
  {
    path: '/api/v2/aibridge/openai/v1/responses',
    auth: 'authorization',
    error: (b: unknown) => typeof (b as { error?: unknown }).error === 'object',
  },
];
const body = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.json({ maxDepth: 3 }).map((json) => Buffer.from(json)),
  fc
    .record(
      {
        model: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        stream: fc.oneof(fc.boolean(), fc.string()),
        messages: fc.oneof(fc.constant([]), fc.string(), fc.array(fc.json(), { maxLength: 2 })),
        input: fc.oneof(fc.string(), fc.constant([])),
      },
      { requiredKeys: [] },
    )
    .map((record) => Buffer.from(JSON.stringify(record))),
);
const headerText = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'),
      headerText,
    ),
    'content-encoding': fc.constantFrom('gzip', 'br', 'zstd', 'identity', 'bogus'),
    'anthropic-version': headerText,
    'anthropic-beta': headerText,
    'openai-beta': headerText,
  },
  { requiredKeys: [] },
);

/**
 * Malformed bodies and headers against the gateway routes: a 4xx in the provider's error shape,
 * or (a body the provider would judge) whatever the upstream answered; never a 500.
 */
export async function fuzzGatewayRoutes(
  server: TestServer,
  numRuns: number,
  options: Pick<FuzzOptions, 'concurrency'> = {},
): Promise<number> {
  let requests = 0;
  const property = fc.asyncProperty(
    fc.constantFrom(...GATEWAY_ROUTES),
    body,
    headers,
    async (route, payload, extra) => {
      const credential = route.auth === 'x-api-key' ? server.ownerToken : `Bearer ${server.ownerToken}`;
      const res = await fetch(`${server.url}${route.path}`, {
        method: 'POST',
        headers: { ...extra, [route.auth]: credential },
        body: payload,
      });
      requests++;
      const text = await res.text();
      expect(res.status, text).not.toBe(500);
      expect(res.status, text).toBeLessThan(502);
      if (res.status >= 400 && res.headers.get('x-aibridge-interception-id') === null) {
        expect(route.error(JSON.parse(text)), text).toBe(true);
      }
    },
  );
  await sideBySide(numRuns, options.concurrency ?? 1, (runs) => fc.assert(property, { numRuns: runs }));
  return requests;
}
