import type { FastifyInstance } from 'fastify';
import { adminRoutes } from './admin.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { budgetRoutes } from './budgets.js';
import { buildInfoRoutes } from './buildinfo.js';
import { connectRoutes } from './connect.js';
import type { ApiDeps } from './context.js';
import { facetRoutes } from './facets.js';
import { groupRoutes } from './groups.js';
import { interceptionRoutes } from './interceptions.js';
import { keyRoutes } from './keys.js';
import { buildOpenApi } from './openapi.js';
import { priceRoutes } from './prices.js';
import { providerKeyRoutes } from './provider-keys.js';
import { providerRoutes } from './providers.js';
import { type AnyRoute, mountRoutes } from './route.js';
import { sessionRoutes } from './sessions.js';
import { spendRoutes } from './spend.js';
import { spendExportRoutes } from './spend-export.js';
import { usageRoutes } from './usage.js';
import { userRoutes } from './users.js';

/** Every control-plane route; the OpenAPI document is generated from this list. */
export const apiRoutes: AnyRoute[] = [
  ...buildInfoRoutes,
  ...authRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...budgetRoutes,
  ...connectRoutes,
  ...keyRoutes,
  ...interceptionRoutes,
  ...sessionRoutes,
  ...facetRoutes,
  ...usageRoutes,
  ...adminRoutes,
  ...providerRoutes,
  ...providerKeyRoutes,
  ...priceRoutes,
  ...spendRoutes,
  ...auditRoutes,
  ...spendExportRoutes,
];

/**
 * The OpenAPI document the server publishes, built without a server or a database, so
 * `npm run api:types` and its freshness test can derive the clients' types from it.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  return buildOpenApi(apiRoutes, version);
}

/** Mounts the control plane and its OpenAPI document on the Fastify app. */
export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  mountRoutes(app, apiRoutes, deps);
  const document = openApiDocument(deps.version);
  app.get('/api/v2/openapi.json', async () => document);
}
