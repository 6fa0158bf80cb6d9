import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateToken } from '../../src/auth/token.js';
import { BIN } from '../cli.js';
import { adminQuery, POSTGRES_URL, postgresUnavailable } from '../databases.js';
import { FakeUpstream, stream } from '../fake-upstream.js';
import { loadTxtar, section } from '../fixtures.js';

const SIMPLE_STREAM = section(loadTxtar('anthropic/simple.txtar'), 'streaming');
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A port nothing listens on (yet): where the database will appear. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A TCP forwarder on `port` to the test PostgreSQL: the database "coming up". */
async function forwarder(port: number): Promise<Server> {
  const target = new URL(POSTGRES_URL);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const backend = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, backend]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return server;
}

/** Spawns `aibridge server`; resolves with its URL as soon as it listens (before start-up is done). */
function spawnStarting(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const { PATH, HOME, TMPDIR } = process.env;
    const child = spawn(process.execPath, [BIN, 'server'], {
      env: { PATH, HOME, TMPDIR, AIBRIDGE_HTTP_ADDRESS: '127.0.0.1:0', ...env },
    });
    const exited = new Promise<number | null>((done) => child.on('close', done));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    child.stdout?.resume();
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const line = stderr.split('\n').find((l) => l.includes('listening while starting'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child, exited });
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

describe.skipIf(postgresUnavailable !== undefined)(
  'start-up with the database not there yet',
  { timeout: 180_000 },
  () => {
    it('answers /healthz and /readyz (503 starting) and refuses gateway calls in the provider shape, then serves and records once the database appears', async () => {
      const database = `aibridge_start_${randomBytes(5).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${database}`);
      cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-starting-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const upstream = await FakeUpstream.start();
      cleanups.push(() => upstream.close());
      upstream.always(stream(SIMPLE_STREAM));
      const token = generateToken().token;
      const port = await freePort();
      const databaseUrl = new URL(POSTGRES_URL);
      databaseUrl.hostname = '127.0.0.1';
      databaseUrl.port = String(port);
      databaseUrl.pathname = `/${database}`;

      const { url, child, exited } = await spawnStarting({
        DATABASE_URL: databaseUrl.toString(),
        AIBRIDGE_DATA_DIR: dataDir,
        AIBRIDGE_BOOTSTRAP_TOKEN: token,
        AIBRIDGE_ANTHROPIC_BASE_URL: `${upstream.url}/`,
        AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-starting',
        AIBRIDGE_LOG_LEVEL: 'info',
      });

      const healthz = await fetch(`${url}/healthz`);
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toEqual({ status: 'ok' });
      const readyz = await fetch(`${url}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toEqual({ status: 'starting', waiting: ['database'] });

      const messages = () =>
        fetch(`${url}/api/v2/aibridge/anthropic/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': token, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'claude-sonnet-4-0', max_tokens: 64, stream: true, messages: [] }),
        });
      const refused = await messages();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
      const openai = await fetch(`${url}/api/v2/aibridge/openai/v1/chat/completions`, {
        method: 'POST',
        body: '{}',
      });
      expect(openai.status).toBe(503);
      expect(await openai.json()).toMatchObject({
        error: { type: 'server_error', code: 'service_unavailable' },
      });
      const api = await fetch(`${url}/api/v2/users/me`, { headers: { 'Coder-Session-Token': token } });
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('5');
      expect(await api.json()).toMatchObject({ message: expect.any(String) });

      // The database comes up on the port the server keeps trying.
      await forwarder(port);
      await vi.waitFor(
        async () => {
          const ready = await fetch(`${url}/readyz`);
          expect(ready.status).toBe(200);
          expect(await ready.json()).toEqual({ status: 'ready' });
        },
        { timeout: 120_000, interval: 250 },
      );
      const served = await messages();
      expect(served.status).toBe(200);
      expect(await served.text()).toBe(SIMPLE_STREAM);
      expect(upstream.received).toHaveLength(1);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const client = new pg.Client({ connectionString: new URL(`/${database}`, POSTGRES_URL).toString() });
      await client.connect();
      try {
        const { rows } = await client.query<{ model: string; ended: boolean }>(
          'select model, ended_at is not null as ended from aibridge_interceptions',
        );
        expect(rows).toEqual([{ model: 'claude-sonnet-4-0', ended: true }]);
      } finally {
        await client.end();
      }
    });
  },
);
