import { expect, it } from 'vitest';
import { useTestServer } from '../server.js';

const server = useTestServer('pglite', { metricsToken: 'metrics-secret' });

it('answers /healthz and /readyz, and serves /metrics only with the metrics token', async () => {
  const { url } = server();
  expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
  expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
  expect((await fetch(`${url}/metrics`)).status).toBe(401);
  expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  const metrics = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toContain('aibridge_');
});
