import { afterAll, expect, it } from 'vitest';
import { FakeUpstream, reply } from '../fake-upstream.js';
import { fuzzGatewayRoutes, fuzzListEndpoints, LIST_PATHS } from '../fuzz.js';
import { gatewayOverrides } from '../gateway.js';
import { describeEachServer } from '../server.js';

const upstream = await FakeUpstream.start();
upstream.always(reply(200, '{"id":"fuzz","object":"chat.completion","choices":[]}'));
afterAll(() => upstream.close());

// Kept small for `npm test`; the fault suite runs the same properties with far more cases.
describeEachServer(
  'fuzzing: generated input against every list endpoint and the gateway routes',
  (server) => {
    it('answers generated query strings on every list endpoint with the documented success or a 4xx, never a 500', async () => {
      expect(LIST_PATHS.length).toBeGreaterThan(10);
      expect(await fuzzListEndpoints(server(), 1000)).toBe(1000);
    });

    it('answers malformed bodies and headers on the gateway routes in the provider shape, never a 500', async () => {
      expect(await fuzzGatewayRoutes(server(), 500)).toBe(500);
    });
  },
  gatewayOverrides(upstream),
);
