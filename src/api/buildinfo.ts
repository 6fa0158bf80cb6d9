import { z } from 'zod';
import { type AnyRoute, defineRoute } from './route.js';

const BuildInfo = z
  .object({
    version: z.string().describe('`v` and the package version.'),
    dashboard_url: z.string().describe('Where the web dashboard is, as the caller reached the server.'),
  })
  .meta({ id: 'BuildInfo' });

/** Lets clients (and people) check they reach aibridge and which version it is. */
export const buildInfoRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v2/buildinfo',
    summary: 'Server version',
    tags: ['General'],
    auth: false,
    response: BuildInfo,
    handler: async ({ deps, request }) => ({
      version: `v${deps.version}`,
      dashboard_url: `${request.protocol}://${request.host}/`,
    }),
  }),
];
