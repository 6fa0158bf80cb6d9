import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { startTestServer, type TestServer } from '../server.js';

/** `aibridge connect`: run as a subprocess with its own HOME, logged in as a member. */
let server: TestServer;
let member: { id: string; token: string };
const dirs: string[] = [];

beforeAll(async () => {
  server = await startTestServer('pglite', { publicUrl: 'https://aibridge.example.com' });
  member = await server.createUser('connecting');
});
afterAll(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh HOME with a stored `aibridge login` for the member. */
async function home(): Promise<{ env: Record<string, string>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'aibridge-connect-home-'));
  dirs.push(dir);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') };
  const login = await runCli(['login', server.url, '--token', member.token], env);
  expect(login.code).toBe(0);
  return { env, dir };
}

async function tokenNames(): Promise<string[]> {
  const keys = (await (await server.request(`/api/v2/users/${member.id}/keys`)).json()) as {
    token_name: string;
  }[];
  return keys.map((k) => k.token_name);
}

async function usernameOf(token: string): Promise<string> {
  const me = await server.request('/api/v2/users/me', { token });
  return ((await me.json()) as { username: string }).username;
}

const backups = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bak'));

describe('aibridge connect', { timeout: 60_000 }, () => {
  it('claude-code merges into ~/.claude/settings.json, keeps the rest, backs up, issues a token', async () => {
    const { env, dir } = await home();
    const claude = join(dir, '.claude');
    mkdirSync(claude);
    const before = `${JSON.stringify({ model: 'opus', env: { ANTHROPIC_API_KEY: 'sk-old', KEEP: '1' } }, null, 2)}\n`;
    writeFileSync(join(claude, 'settings.json'), before);

    const result = await runCli(['connect', 'claude-code'], env);
    expect(result.code).toBe(0);
    const settings = JSON.parse(readFileSync(join(claude, 'settings.json'), 'utf8'));
    expect(settings).toEqual({
      model: 'opus',
      env: {
        KEEP: '1',
        ANTHROPIC_BASE_URL: 'https://aibridge.example.com/api/v2/aibridge/anthropic',
        ANTHROPIC_AUTH_TOKEN: expect.stringMatching(/^\w{10}-\w{22}$/),
      },
    });
    const [backup] = backups(claude);
    expect(backup).toMatch(/^settings\.json\.\d{8}T\d{6}Z\.bak$/);
    expect(readFileSync(join(claude, backup ?? ''), 'utf8')).toBe(before);
    expect(result.stderr).toContain(`previous version is in ${join(claude, backup ?? '')}`);
    expect(result.stderr).toContain('Removed ANTHROPIC_API_KEY');
    expect(await usernameOf(settings.env.ANTHROPIC_AUTH_TOKEN)).toBe('connecting');
    expect((await tokenNames()).some((n) => n.startsWith('claude-code-'))).toBe(true);
  });

  it('claude-code creates the settings file readable by its owner only when there was none', async () => {
    const { env, dir } = await home();
    const result = await runCli(['connect', 'claude-code', '--name', 'fresh-laptop'], env);
    expect(result.code).toBe(0);
    const file = join(dir, '.claude', 'settings.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(backups(join(dir, '.claude'))).toEqual([]);
    expect(result.stderr).toContain(`Wrote ${file}.`);
    expect(await tokenNames()).toContain('fresh-laptop');
  });

  it('codex merges its provider into ~/.codex/config.toml, keeping models, providers and servers', async () => {
    const { env, dir } = await home();
    const codex = join(dir, '.codex');
    mkdirSync(codex);
    const before = [
      '# my settings',
      'model = "o3"',
      '',
      '[model_providers.other]',
      'name = "other"',
      'base_url = "http://other/v1"',
      '',
      '[mcp_servers.docs]',
      'command = "docs-mcp"',
      '',
    ].join('\n');
    writeFileSync(join(codex, 'config.toml'), before);

    const result = await runCli(['connect', 'codex'], env);
    expect(result.code).toBe(0);
    const config = parseToml(readFileSync(join(codex, 'config.toml'), 'utf8'));
    expect(config).toEqual({
      model: 'o3',
      model_provider: 'aibridge',
      model_providers: {
        other: { name: 'other', base_url: 'http://other/v1' },
        aibridge: {
          name: 'aibridge',
          base_url: 'https://aibridge.example.com/api/v2/aibridge/openai/v1',
          env_key: 'AIBRIDGE_TOKEN',
          wire_api: 'responses',
        },
      },
      mcp_servers: { docs: { command: 'docs-mcp' } },
    });
    const [backup] = backups(codex);
    expect(readFileSync(join(codex, backup ?? ''), 'utf8')).toBe(before);
    const token = /^export AIBRIDGE_TOKEN='(\S+)'$/m.exec(result.stdout)?.[1] ?? '';
    expect(await usernameOf(token)).toBe('connecting');
    expect(result.stderr).toContain('Codex reads the token from AIBRIDGE_TOKEN');
  });

  it('--print writes nothing and, with --use-token, issues no token', async () => {
    const { env, dir } = await home();
    const names = await tokenNames();
    const result = await runCli(['connect', 'codex', '--print', '--use-token', member.token], env);
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, '.codex'))).toBe(false);
    expect(await tokenNames()).toEqual(names);
    expect(result.stdout).toContain('[model_providers.aibridge]');
    expect(result.stdout).toContain(`export AIBRIDGE_TOKEN='${member.token}'`);
    const printed = await runCli(['connect', 'claude-code', '--print', '--use-token', member.token], env);
    expect(printed.stdout).toContain(`"ANTHROPIC_AUTH_TOKEN": "${member.token}"`);
    expect(existsSync(join(dir, '.claude'))).toBe(false);
  });

  it('refuses to touch a settings file it cannot read as JSON, and says why', async () => {
    const { env, dir } = await home();
    const claude = join(dir, '.claude');
    mkdirSync(claude);
    writeFileSync(join(claude, 'settings.json'), '{ not json');
    const result = await runCli(['connect', 'claude-code', '--use-token', member.token], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^aibridge: cannot update .*settings\.json: it is not valid JSON/);
    expect(readFileSync(join(claude, 'settings.json'), 'utf8')).toBe('{ not json');
    expect(backups(claude)).toEqual([]);
  });

  it('names the agents it knows', async () => {
    const { env } = await home();
    const result = await runCli(['connect', 'cursor'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('claude-code, codex');
  });
});
