import { afterAll, expect, it } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { fuzzGatewayRoutes, fuzzListEndpoints } from '../fuzz.js';
import { gatewayOverrides } from '../gateway.js';
import { useTestServer } from '../server.js';

/** Cases per property (the counts); `FUZZ_LIST_RUNS`/`FUZZ_GATEWAY_RUNS` change them. */
const LIST_RUNS = Number(process.env.FUZZ_LIST_RUNS ?? 100_000);
const GATEWAY_RUNS = Number(process.env.FUZZ_GATEWAY_RUNS ?? 10_000);

const upstream = await FakeUpstream.start();
upstream.always(reply(200, '{"id":"fuzz","object":"chat.completion","choices":[]}'));
afterAll(() => upstream.close());
// PostgreSQL, the production database: its queries run in its own processes, beside the
// cases the test process handles (PGlite would run them on the test's own thread).
const server = useTestServer('postgres', gatewayOverrides(upstream));

it(`fuzzes every list endpoint with ${LIST_RUNS} generated query strings: documented answers only`, async () => {
  // In-process and 8 at a time: ~0.6 ms a case here instead of ~2 ms over HTTP one by one (the
  // HTTP path is fuzzed in test/api/fuzz.test.ts and below).
  expect(await fuzzListEndpoints(server(), LIST_RUNS, { inProcess: true, concurrency: 8 })).toBe(LIST_RUNS);
}, 600_000);

it(`fuzzes the gateway routes with ${GATEWAY_RUNS} malformed bodies and headers: never a 500`, async () => {
  expect(await fuzzGatewayRoutes(server(), GATEWAY_RUNS, { concurrency: 4 })).toBe(GATEWAY_RUNS);
}, 600_000);
