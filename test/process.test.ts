import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateToken } from '../src/auth/token.js';
import { runCli, spawnServer } from './cli.js';
import { adminQuery, POSTGRES_URL, postgresUnavailable } from './databases.js';

const me = (url: string, token: string) =>
  fetch(`${url}/api/v2/users/me`, { headers: { 'Coder-Session-Token': token } });

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aibridge-proc-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

// Every test here starts real processes (each opening an embedded database or migrating one):
// on a loaded 2-core machine one start can take tens of seconds, so the bounds are wide. They
// only bound a hang; every step waits for its own event (an exit, a banner, a status).
describe('aibridge server (the real process)', { timeout: 180_000 }, () => {
  it.each([
    ['AIBRIDGE_RETENTION', '5x'],
    ['AIBRIDGE_HTTP_ADDRESS', 'localhost'],
    ['AIBRIDGE_OPENAI_BASE_URL', '::not a url::'],
    ['DATABASE_URL', 'mysql://nope'],
  ])('exits 2 with one line naming %s when it is bad', async (name, value) => {
    const result = await runCli(['server'], { [name]: value, AIBRIDGE_DATA_DIR: tempDir() });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(result.stdout).toBe('');
  });

  it('bootstraps an owner on PGlite, shuts down cleanly on SIGTERM and keeps data across restarts', async () => {
    const dataDir = tempDir();
    const first = await spawnServer({ AIBRIDGE_DATA_DIR: dataDir });
    expect(first.token).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
    const token = first.token as string;
    expect(((await (await me(first.url, token)).json()) as { username: string }).username).toBe('admin');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, 'aibridge.pid'))).toBe(false);

    const second = await spawnServer({ AIBRIDGE_DATA_DIR: dataDir });
    expect(second.token).toBeUndefined();
    expect(second.stdout()).not.toContain('shown only this once');
    expect((await me(second.url, token)).status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses to open an embedded database another process holds', async () => {
    const dataDir = tempDir();
    const server = await spawnServer({ AIBRIDGE_DATA_DIR: dataDir });
    const cli = await runCli(['users', 'list'], { AIBRIDGE_DATA_DIR: dataDir });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/in use by another aibridge process/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});

// Each command opens (and the first creates) an embedded database in its own process: eleven
// process starts in the first test, slow on a loaded machine.
describe('offline user and token commands on PGlite', { timeout: 600_000 }, () => {
  it('create a user whose token then works, list, revoke and delete', async () => {
    const env = { AIBRIDGE_DATA_DIR: tempDir() };
    const created = await runCli(['users', 'create', 'carol', '--role', 'auditor', '--name', 'Carol'], env);
    expect(created.code).toBe(0);
    const carolToken = created.stdout.trim();
    expect(created.stdout).toBe(`${carolToken}\n`);
    expect(carolToken).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);

    const extra = await runCli(['tokens', 'create', 'carol', '--name', 'ci', '--lifetime', '2d'], env);
    expect(extra.code).toBe(0);
    const ciToken = extra.stdout.trim();

    const listed = await runCli(['tokens', 'list', 'carol', '-o', 'json'], env);
    const keys = JSON.parse(listed.stdout) as Array<{ id: string; token_name: string }>;
    expect(keys.map((k) => k.token_name)).toContain('ci');
    expect(listed.stdout).not.toContain(ciToken.slice(11));

    const users = JSON.parse((await runCli(['users', 'list', '-o', 'json'], env)).stdout) as Array<{
      username: string;
      role: string;
    }>;
    expect(users.find((u) => u.username === 'carol')?.role).toBe('auditor');

    expect((await runCli(['tokens', 'delete', 'carol', ciToken.slice(0, 10)], env)).code).toBe(0);
    const server = await spawnServer(env);
    expect((await me(server.url, carolToken)).status).toBe(200);
    expect((await me(server.url, ciToken)).status).toBe(401);
    server.child.kill('SIGTERM');
    await server.exited;

    expect((await runCli(['users', 'delete', 'carol'], env)).code).toBe(0);
    const again = await spawnServer(env);
    expect((await me(again.url, carolToken)).status).toBe(401);
    again.child.kill('SIGTERM');
    await again.exited;
  });

  it('reports mistakes with a non-zero exit and one line', async () => {
    const env = { AIBRIDGE_DATA_DIR: tempDir() };
    const badRole = await runCli(['users', 'create', 'dave', '--role', 'king'], env);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role "king"/);
    expect((await runCli(['users', 'create', 'dave'], env)).code).toBe(0);
    const dup = await runCli(['users', 'create', 'dave'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const missing = await runCli(['tokens', 'create', 'nobody'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no user "nobody"/);
  });
});

describe.skipIf(postgresUnavailable !== undefined)(
  'aibridge server on PostgreSQL',
  { timeout: 180_000 },
  () => {
    const databases: string[] = [];
    afterAll(async () => {
      for (const name of databases) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    async function freshDatabaseUrl(): Promise<string> {
      const name = `aibridge_test_${randomBytes(5).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      databases.push(name);
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${name}`;
      return url.toString();
    }

    it('starts two servers at once on one empty database; both migrate, one owner is created', async () => {
      const url = await freshDatabaseUrl();
      const preset = generateToken().token;
      const env = { DATABASE_URL: url, AIBRIDGE_BOOTSTRAP_TOKEN: preset };
      const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
      for (const server of [a, b]) expect((await me(server.url, preset)).status).toBe(200);
      const created = [a, b].filter((s) => s.stdout().includes('created the owner')).length;
      expect(created).toBe(1);
      const users = JSON.parse(
        (await runCli(['users', 'list', '-o', 'json'], { DATABASE_URL: url })).stdout,
      ) as unknown[];
      expect(users).toHaveLength(1);

      const cliToken = (await runCli(['users', 'create', 'erin'], { DATABASE_URL: url })).stdout.trim();
      expect((await me(a.url, cliToken)).status).toBe(200);
      expect((await me(b.url, cliToken)).status).toBe(200);
      expect((await runCli(['users', 'delete', 'erin'], { DATABASE_URL: url })).code).toBe(0);
      // Each server drops its cached token when the deletion's notification reaches it.
      for (const server of [a, b]) {
        await expect.poll(async () => (await me(server.url, cliToken)).status).toBe(401);
      }

      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
    });
  },
);
