import { afterAll, expect, it } from 'vitest';
import { FakeUpstream } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';
import { describeEachServer, startTestServer } from '../server.js';
import { answerAll, ask, COST_MICROS, setBudget, settled, spentMicros } from './helpers.js';

const upstream = await FakeUpstream.start();
answerAll(upstream, 2);
afterAll(() => upstream.close());

const LIMIT_MICROS = 1_000_000;

describeEachServer(
  'budget under concurrency',
  (server, kind) => {
    it('50 concurrent streaming requests against $1 of room never spend more than $1', async () => {
      const user = await server().createUser('c-gina');
      const budget = await setBudget(server(), { subject: 'user:c-gina', limit_usd: '1', period: 'month' });
      const results = await Promise.all(Array.from({ length: 50 }, () => ask(server(), user.token)));
      const admitted = results.filter((r) => r.status === 200);
      expect(results.filter((r) => r.status !== 200).every((r) => r.status === 402)).toBe(true);
      await settled(
        server(),
        results.map((r) => r.headers.get('x-aibridge-interception-id') as string),
      );
      const spent = await spentMicros(server(), budget);
      // Each request costs $0.03003 and reserves a little more (its output cap and its prompt),
      // so the bound is the limit itself: every estimate covers its request's real cost.
      expect(spent).toBe(admitted.length * COST_MICROS);
      expect(spent).toBeLessThanOrEqual(LIMIT_MICROS);
      // And the limit is used, not refused early: at most one more request would have fit.
      expect(LIMIT_MICROS - spent).toBeLessThan(2 * COST_MICROS);
    });

    it.skipIf(kind === 'pglite')('three gateway processes on one PostgreSQL enforce one limit', async () => {
      const user = await server().createUser('c-hank');
      const budget = await setBudget(server(), { subject: 'user:c-hank', limit_usd: '1', period: 'month' });
      const overrides = gatewayOverrides(upstream);
      const replicas = [
        server(),
        await startTestServer('postgres', overrides, { replicaOf: server() }),
        await startTestServer('postgres', overrides, { replicaOf: server() }),
      ];
      try {
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, i) => ask(replicas[i % 3] as (typeof replicas)[number], user.token)),
        );
        const admitted = results.filter((r) => r.status === 200).length;
        for (const [i, r] of results.entries()) {
          await settled(replicas[i % 3] as (typeof replicas)[number], [
            r.headers.get('x-aibridge-interception-id') as string,
          ]);
        }
        const spent = await spentMicros(server(), budget);
        expect(spent).toBe(admitted * COST_MICROS);
        expect(spent).toBeLessThanOrEqual(LIMIT_MICROS);
        // Room another process holds as lease can refuse a request early, by at most a lease each.
        expect(admitted).toBeGreaterThanOrEqual(20);
      } finally {
        await replicas[1]?.close();
        await replicas[2]?.close();
      }
    });
  },
  gatewayOverrides(upstream),
);
