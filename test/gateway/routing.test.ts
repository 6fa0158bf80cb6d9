import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/api/index.js';
import { SIGNED_OUT_MESSAGE } from '../../src/errors.js';
import { MISSING_TOKEN_MESSAGE } from '../../src/gateway/credentials.js';
import { GATEWAY_PREFIX } from '../../src/gateway/paths.js';
import { anthropicProvider } from '../../src/gateway/providers/anthropic.js';
import { openaiProvider } from '../../src/gateway/providers/openai.js';
import type { ProviderInstance } from '../../src/providers/instance.js';
import { useTestServer } from '../server.js';

const instance = (name: string, type: ProviderInstance['type']): ProviderInstance => ({
  name,
  type,
  baseUrl: 'http://127.0.0.1:9',
  headers: {},
  models: null,
  byok: 'central',
  settings: {},
  keys: [],
});
const timeouts = { connectMs: 10_000, firstByteMs: 600_000, idleMs: 600_000 };

/** Every API route under the shared prefix, as the API module registers them. */
const aibridgeApiRoutes = apiRoutes.filter((route) => route.path.startsWith(GATEWAY_PREFIX));

describe('which plane answers under /api/v2/aibridge/', () => {
  const server = useTestServer('pglite');

  it('sends every registered API route to the API, never to the gateway', async () => {
    const { app } = server().running;
    expect(aibridgeApiRoutes.length).toBeGreaterThan(0);
    const resources = new Set(
      aibridgeApiRoutes.map((r) => r.path.slice(GATEWAY_PREFIX.length).split('/')[0]),
    );
    expect([...app.gatewayPaths.resources].sort()).toEqual([...resources].sort());
    for (const route of aibridgeApiRoutes) {
      const path = route.path.replace(/\{\w+\}/g, 'x');
      expect(app.gatewayPaths.isGatewayPath(path), path).toBe(false);
      const res = await server().request(path, { method: route.method, token: null });
      // The API's envelope and wording; the gateway would have answered its own.
      expect(res.status, path).toBe(401);
      expect(await res.json(), path).toMatchObject({ message: SIGNED_OUT_MESSAGE });
    }
  });

  it('sends every provider prefix to the gateway, which answers in the provider shape', async () => {
    const { app } = server().running;
    const providers = [
      openaiProvider(instance('openai', 'openai'), undefined, timeouts),
      anthropicProvider(instance('anthropic', 'anthropic'), undefined, timeouts),
    ];
    const bridged = { openai: 'chat/completions', anthropic: 'v1/messages' } as Record<string, string>;
    for (const provider of providers) {
      const path = `${GATEWAY_PREFIX}${provider.routePrefix}/${bridged[provider.name]}`;
      expect(app.gatewayPaths.isGatewayPath(`${GATEWAY_PREFIX}${provider.routePrefix}`)).toBe(true);
      expect(app.gatewayPaths.isGatewayPath(path)).toBe(true);
      const res = await server().request(path, { method: 'POST', token: null, json: {} });
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).toBe(provider.errorShape('authentication', MISSING_TOKEN_MESSAGE));
      await provider.upstream.close();
    }
  });
});
