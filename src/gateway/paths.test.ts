import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { GATEWAY_PREFIX, GatewayPaths } from './paths.js';

/** A Fastify app wired as app.ts wires it: every route it registers is learned. */
function learningApp() {
  const paths = new GatewayPaths();
  const app = Fastify();
  app.addHook('onRoute', (route) => paths.learn(route.url));
  return { app, paths };
}

describe('GatewayPaths', () => {
  it('gives a newly registered API resource to the API without anyone listing it', async () => {
    const { app, paths } = learningApp();
    expect(paths.isGatewayPath(`${GATEWAY_PREFIX}widgets`)).toBe(true);
    app.get(`${GATEWAY_PREFIX}widgets/:id`, async () => 'ok');
    await app.ready();
    expect(paths.isGatewayPath(`${GATEWAY_PREFIX}widgets`)).toBe(false);
    expect(paths.isGatewayPath(`${GATEWAY_PREFIX}widgets/1?x=y`)).toBe(false);
    expect(paths.isGatewayPath(`${GATEWAY_PREFIX}widgets?x=y`)).toBe(false);
    expect(paths.isGatewayPath(`${GATEWAY_PREFIX}widgetsx`)).toBe(true);
    expect(paths.isGatewayPath(`${GATEWAY_PREFIX}anthropic/v1/messages`)).toBe(true);
    await app.close();
  });

  it('leaves paths outside the prefix to the API', () => {
    const paths = new GatewayPaths();
    paths.learn('/api/v2/users/:user');
    expect(paths.resources.size).toBe(0);
    expect(paths.isGatewayPath('/api/v2/users/me')).toBe(false);
    expect(paths.isGatewayPath('/api/v2/aibridge')).toBe(false);
  });

  it('refuses an API route whose first segment is a parameter: it would take every provider path', () => {
    const { app } = learningApp();
    expect(() => app.get(`${GATEWAY_PREFIX}:thing`, async () => 'ok')).toThrow(/fixed resource name/);
    expect(() => app.get(`${GATEWAY_PREFIX}*`, async () => 'ok')).toThrow(/fixed resource name/);
  });
});
