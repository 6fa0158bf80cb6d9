import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDashboard } from './dashboard.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };

async function appWith(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/api/v2/buildinfo', async () => ({ version: 'x' }));
  app.get('/metrics', async () => 'metrics');
  await registerDashboard(app, dir);
  return app;
}

describe('dashboard serving', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aibridge-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = await appWith(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the app at / and for its own routes, so deep links survive a reload', async () => {
    for (const url of ['/', '/sessions', '/sessions/abc%20def?initiator=x', '/usage?range=30d']) {
      const res = await app.inject({ url, headers: HTML });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('id="root"');
    }
  });

  it('caches hashed assets for good and 404s missing ones', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/assets/gone-1.js', headers: HTML })).statusCode).toBe(404);
  });

  it('never shadows the API or /metrics: unknown API paths stay JSON 404s', async () => {
    expect((await app.inject({ url: '/api/v2/buildinfo', headers: HTML })).json()).toEqual({ version: 'x' });
    expect((await app.inject({ url: '/metrics', headers: HTML })).body).toBe('metrics');
    const missing = await app.inject({ url: '/api/v2/nope', headers: HTML });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ message: expect.stringContaining('not found') });
    expect((await app.inject({ url: '/sessions' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/sessions', headers: HTML })).statusCode).toBe(404);
  });

  it('says how to build the dashboard when it is missing', async () => {
    const bare = await appWith(join(dir, 'nowhere'));
    const res = await bare.inject({ url: '/sessions', headers: HTML });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm install');
    expect((await bare.inject({ url: '/api/v2/buildinfo' })).statusCode).toBe(200);
    await bare.close();
  });
});
