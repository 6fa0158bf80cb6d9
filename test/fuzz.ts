import fc from 'fast-check';
import { expect } from 'vitest';
import { apiRoutes } from '../src/api/index.js';
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

/**
 * Generated query strings against every list endpoint: each answer is the documented success or
 * a 4xx in the documented error shape (the test server checks bodies against the OpenAPI
 * document), never a 500, and always an answer (vitest's timeout bounds a hang).
 */
export async function fuzzListEndpoints(server: TestServer, numRuns: number): Promise<number> {
  let requests = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...LIST_PATHS), queryString, async (path, query) => {
      const res = await server.request(`${path}?${query}`);
      requests++;
      expect(res.status, `${path}?${query}`).toBeLessThan(500);
      if (res.status >= 400) expect(await res.json()).toHaveProperty('message');
    }),
    { numRuns },
  );
  return requests;
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
export async function fuzzGatewayRoutes(server: TestServer, numRuns: number): Promise<number> {
  let requests = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...GATEWAY_ROUTES), body, headers, async (route, payload, extra) => {
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
    }),
    { numRuns },
  );
  return requests;
}
