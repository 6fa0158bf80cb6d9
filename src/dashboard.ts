import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, sendApiError } from './errors.js';

/** Where `npm run build` puts the dashboard (the same relative path from src/ and dist/). */
const DASHBOARD_DIR = fileURLToPath(new URL('../web/dist/', import.meta.url));

/** Paths that belong to the server, never to the single-page app. */
const SERVER_PATHS = /^\/(api|metrics)(\/|$|\?)/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>aibridge: dashboard not built</title>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>The dashboard has not been built</h1>
<p>aibridge is running and its API answers under <code>/api/v2</code>, but the web dashboard's
files are missing. Build them from the repository with:</p>
<pre>npm install   # or: npm run build</pre>
<p>then reload this page. (<code>npm start</code> builds it too.)</p>
</body></html>`;

/**
 * Serves the built dashboard at `/`: hashed assets with long-lived caching, `index.html`
 * for every other browser navigation so the app's own routes survive a reload, and JSON
 * 404s for API paths. Without a build, browsers get a page saying how to make one.
 */
export async function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): Promise<void> {
  const indexFile = join(dir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        const immutable = path.includes(`${join(dir, 'assets')}`);
        res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const index = built ? readFileSync(indexFile) : undefined;
  const sendApp = (reply: FastifyReply) =>
    index
      ? reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index)
      : reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);

  app.get('/', async (_request, reply) => sendApp(reply));
  app.setNotFoundHandler(async (request, reply) => {
    if (isAppNavigation(request)) return sendApp(reply);
    return sendApiError(reply, notFound());
  });
}

/** A browser asking for a page (not an API call or an asset) outside the server's own paths. */
function isAppNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (SERVER_PATHS.test(request.url)) return false;
  if (/\/[^/?]+\.[a-z0-9]+(\?|$)/i.test(request.url)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}
