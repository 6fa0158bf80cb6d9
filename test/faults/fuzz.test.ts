import { afterAll, expect, it } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { fuzzGatewayRoutes, fuzzListEndpoints } from '../fuzz.js';
import { gatewayOverrides } from '../gateway.js';
import { useTestServer } from '../server.js';

/** Cases per property; `FUZZ_RUNS` scales them (the defaults keep the suite within CI's budget). */
const LIST_RUNS = Number(process.env.FUZZ_LIST_RUNS ?? 30_000);
const GATEWAY_RUNS = Number(process.env.FUZZ_GATEWAY_RUNS ?? 10_000);

const upstream = await FakeUpstream.start();
upstream.always(reply(200, '{"id":"fuzz","object":"chat.completion","choices":[]}'));
afterAll(() => upstream.close());
const server = useTestServer('pglite', gatewayOverrides(upstream));

it(`fuzzes every list endpoint with ${LIST_RUNS} generated query strings: documented answers only`, async () => {
  expect(await fuzzListEndpoints(server(), LIST_RUNS)).toBe(LIST_RUNS);
}, 600_000);

it(`fuzzes the gateway routes with ${GATEWAY_RUNS} malformed bodies and headers: never a 500`, async () => {
  expect(await fuzzGatewayRoutes(server(), GATEWAY_RUNS)).toBe(GATEWAY_RUNS);
}, 600_000);
