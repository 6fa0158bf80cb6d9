import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Session, User } from '../../src/cli/api-types.js';
import { noTerminal, runCli, runInTerminal } from '../cli.js';
import { useCliWorld } from './harness.js';

/** A local port nothing listens on (bound once, then closed). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const UNREACHABLE = await closedPortUrl();

describe('aibridge login, whoami, logout, and how every command finds its server', {
  timeout: 120_000,
}, () => {
  const world = useCliWorld();

  it('login checks the token, stores URL and token readable by the user only; later commands use them', async () => {
    const w = world();
    const config = w.configDir();
    const env = { XDG_CONFIG_HOME: config };
    const login = await runCli(['login', `${w.server.url}/`, '--token', w.server.ownerToken], env);
    const file = join(config, 'aibridge', 'config.json');
    expect(login).toEqual({
      code: 0,
      stdout: '',
      stderr: `Logged in to ${w.server.url} as admin (owner). Saved in ${file}.\n`,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, 'aibridge')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      url: w.server.url,
      token: w.server.ownerToken,
      username: 'admin',
    });
    const api = await w.api<{ sessions: Session[] }>('/api/v2/aibridge/sessions');
    const listed = await runCli(['sessions', 'list', '-o', 'json'], env);
    expect(JSON.parse(listed.stdout)).toEqual(api.sessions);
    const whoami = await runCli(['whoami'], env);
    expect(whoami.stdout).toBe(
      [
        'admin (Administrator), owner',
        `  server  ${w.server.url}  (stored login, ${file})`,
        `  token   ${w.server.ownerToken.slice(0, 10)}-…  (stored login, ${file})`,
        '',
      ].join('\n'),
    );

    expect(await runCli(['logout'], env)).toEqual({
      code: 0,
      stdout: '',
      stderr: `Logged out: removed ${file}.\n`,
    });
    const after = await runCli(['sessions', 'list'], env);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^aibridge: not logged in: run `aibridge login <url>`/);
  });

  it('flags beat the environment, which beats the login; the stored token never goes to another server', async () => {
    const w = world();
    const env = { XDG_CONFIG_HOME: w.configDir() };
    const alice = w.people.get('alice')?.token as string;
    const bob = w.people.get('bob')?.token as string;
    const carol = w.people.get('carol')?.token as string;
    expect((await runCli(['login', w.server.url], env, `${alice}\n`)).code).toBe(0);
    const who = async (args: string[], extra: Record<string, string> = {}) =>
      JSON.parse((await runCli(['whoami', '-o', 'json', ...args], { ...env, ...extra })).stdout) as User;
    expect((await who([])).username).toBe('alice');
    expect((await who([], { AIBRIDGE_TOKEN: bob })).username).toBe('bob');
    expect((await who(['--token', carol], { AIBRIDGE_TOKEN: bob })).username).toBe('carol');
    const elsewhere = await runCli(['whoami'], { ...env, AIBRIDGE_URL: UNREACHABLE });
    expect(elsewhere).toEqual({
      code: 2,
      stdout: '',
      stderr: `aibridge: no API token for ${UNREACHABLE}: pass --token, set AIBRIDGE_TOKEN or run \`aibridge login ${UNREACHABLE}\`\n`,
    });
    expect(
      (await who(['--url', UNREACHABLE], { AIBRIDGE_URL: w.server.url }).catch(() => undefined))?.username,
    ).toBe(undefined);
  });

  it('a refused or unreachable login stores nothing', async () => {
    const w = world();
    const env = { XDG_CONFIG_HOME: w.configDir() };
    const refused = await runCli(
      ['login', w.server.url, '--token', 'abcdefghij-abcdefghijabcdefghijkl'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^aibridge: GET \/api\/v2\/users\/me: 401 .*API key is invalid\./);
    const unreachable = await runCli(['login', UNREACHABLE, '--token', w.server.ownerToken], env);
    expect(unreachable).toEqual({
      code: 1,
      stdout: '',
      stderr: `aibridge: cannot reach the aibridge server at ${UNREACHABLE} (connection refused): is it running, and is the URL right?\n`,
    });
    expect(await runCli(['logout'], env)).toMatchObject({ code: 0, stderr: 'Not logged in.\n' });
    expect(await runCli(['login'], env)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'aibridge: name the server: aibridge login <url> (or set AIBRIDGE_URL)\n',
    });
    // Both from the environment, as a script would.
    const scripted = await runCli(['login'], {
      ...env,
      AIBRIDGE_URL: w.server.url,
      AIBRIDGE_TOKEN: w.server.ownerToken,
    });
    expect(scripted.code).toBe(0);
    expect((await runCli(['whoami', '-o', 'json'], env)).stdout).toContain('"username": "admin"');
  });

  it.skipIf(noTerminal)('on a terminal, login --paste prompts for the token without echoing it', async () => {
    const w = world();
    const env = { XDG_CONFIG_HOME: w.configDir() };
    const token = w.people.get('dan')?.token as string;
    const run = await runInTerminal(['login', w.server.url, '--paste'], env, {
      after: 'API token',
      text: `${token}\r`,
    });
    expect(run.code).toBe(0);
    expect(run.screen).toContain(`Logged in to ${w.server.url} as dan (member).`);
    expect(run.screen).not.toContain(token);
    expect(run.screen).not.toContain(token.slice(11));
  });
});

describe('aibridge mistakes and failures: one line on stderr, exit 2 for usage, 1 for failures', {
  timeout: 120_000,
}, () => {
  const world = useCliWorld();

  it.each([
    [['interceptions', 'list', '--limit', '0'], 'limit value must be between 1 and 1000'],
    [['interceptions', 'list', '--limit', '1001'], 'limit value must be between 1 and 1000'],
    [
      ['interceptions', 'list', '--started-after', 'last week'],
      'parse started after filter value "last week": parsing time "last week" as "2006-01-02T15:04:05Z07:00": cannot parse "last week" as "2006"',
    ],
    [
      ['interceptions', 'list', '--after-id', 'abc'],
      'parse after_id filter value "abc": invalid UUID length: 3',
    ],
    [['sessions', 'show', 'x', '--limit', '500'], 'limit value must be between 1 and 200'],
    [
      ['sessions', 'list', '--since', 'yesterday'],
      'invalid --since "yesterday": expected a duration ago (2h, 3d), a date (2026-11-01) or an RFC 3339 time',
    ],
    [
      ['sessions', 'list', '--since', '2026-02-30'],
      'invalid --since "2026-02-30": expected a duration ago (2h, 3d), a date (2026-11-01) or an RFC 3339 time',
    ],
    [['sessions', 'list', '--since', '1h', '--until', '2h'], '--since must be earlier than --until'],
    [
      ['sessions', 'list', '--since', '2h', '--started-after', '2026-01-01T00:00:00Z'],
      "option '--since <time>' cannot be used with option '--started-after <time>' (see --help)",
    ],
    [
      ['sessions', 'list', '-o', 'xml'],
      "option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, json, ndjson, csv. (see --help)",
    ],
    [['sessions', 'list', '--bogus'], "unknown option '--bogus' (see --help)"],
    [['sessions', 'lst'], "unknown command 'lst' (Did you mean list?) (see --help)"],
    [
      ['export', 'interceptions', '-o', 'json'],
      "option '-o, --output <format>' argument 'json' is invalid. Allowed choices are ndjson, csv. (see --help)",
    ],
    [['purge'], "required option '--older-than <duration>' not specified (see --help)"],
    [
      ['purge', '--older-than', 'forever'],
      'invalid --older-than "forever": expected a duration such as 60d, 12h or 90m',
    ],
    [
      ['purge', '--older-than', '30d'],
      'refusing to purge without confirmation: pass --yes (or --dry-run to count)',
    ],
    [
      ['users', 'create', 'no_underscores'],
      'invalid username "no_underscores": letters, digits and single hyphens, at most 32',
    ],
    [['users', 'list', '--role', 'king'], 'invalid --role "king": expected one of owner, auditor, member'],
    [['tokens', 'create', '--lifetime', '400d'], 'invalid --lifetime "400d": must be between 1s and 365d'],
    [
      ['login', 'ftp://example.com'],
      'invalid server URL "ftp://example.com": it must start with http:// or https://',
    ],
  ])('refuses %j before any request', async (args, message) => {
    const result = await runCli(args, {
      AIBRIDGE_URL: UNREACHABLE,
      AIBRIDGE_TOKEN: world().server.ownerToken,
    });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `aibridge: ${message}\n` });
  });

  it('an unreachable server is a clear failure; no login is a hint to log in', async () => {
    const w = world();
    for (const args of [
      ['sessions', 'list'],
      ['interceptions', 'list'],
      ['models'],
      ['export', 'sessions'],
    ]) {
      expect(await runCli(args, { AIBRIDGE_URL: UNREACHABLE, AIBRIDGE_TOKEN: w.server.ownerToken })).toEqual({
        code: 1,
        stdout: '',
        stderr: `aibridge: cannot reach the aibridge server at ${UNREACHABLE} (connection refused): is it running, and is the URL right?\n`,
      });
    }
    const hint =
      'aibridge: not logged in: run `aibridge login <url>` (or pass --url and --token, or set AIBRIDGE_URL and AIBRIDGE_TOKEN)\n';
    for (const args of [
      ['sessions', 'list'],
      ['whoami'],
      ['export', 'interceptions'],
      ['purge', '--older-than', '1d', '--dry-run'],
    ]) {
      expect(await runCli(args)).toEqual({ code: 2, stdout: '', stderr: hint });
    }
    // users and tokens fall back to the database only when there is one to fall back to.
    expect(await runCli(['users', 'list'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'aibridge: not logged in: run `aibridge login <url>` to use a server, or pass --database to work on a database directly\n',
    });
  });

  it('reports what the server refused in one line', async () => {
    const w = world();
    expect(await w.cli(['sessions', 'show', 'no-such'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'aibridge: GET /api/v2/aibridge/sessions/no-such: 404 Session not found.\n',
    });
    expect((await w.cli(['sessions', 'list', '--initiator', 'nobody'])).stderr).toBe(
      'aibridge: GET /api/v2/aibridge/sessions: 400 Invalid session search query. initiator: Query param "initiator" has invalid value: user "nobody" either does not exist, or you are unauthorized to view them\n',
    );
    const member = { AIBRIDGE_TOKEN: w.people.get('alice')?.token as string };
    expect(await w.cli(['purge', '--older-than', '1d', '--dry-run'], member)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'aibridge: POST /api/v2/aibridge/admin/purge: 403 Forbidden. Only owners can purge interceptions.\n',
    });
    expect((await w.cli(['users', 'create', 'alice'])).stderr).toBe(
      'aibridge: POST /api/v2/users: 409 User already exists. username: username "alice" is already taken\n',
    );
  });

  it.skipIf(noTerminal)('colours tables on a terminal, never with NO_COLOR, never in a pipe', async () => {
    const w = world();
    const colour = await runInTerminal(['sessions', 'list', '--limit', '2'], w.env);
    expect(colour.code).toBe(0);
    expect(colour.screen).toContain('\u001b[1mID\u001b[22m');
    const plain = await runInTerminal(['sessions', 'list', '--limit', '2'], { ...w.env, NO_COLOR: '1' });
    expect(plain.screen).toMatch(/^ID {2,}LAST ACTIVE/);
    expect(plain.screen).not.toContain('\u001b[');
    expect((await w.cli(['sessions', 'list', '--limit', '2'])).stdout).not.toContain('\u001b[');
  });

  it('purge counts with --dry-run, then deletes through the admin endpoint', async () => {
    const w = world();
    const before = await w.api<{ count: number }>('/api/v2/aibridge/interceptions?limit=1');
    expect(before.count).toBe(w.story.interceptions);
    const dry = await w.json<{ interceptions: number; rows: number; dry_run: boolean; done: boolean }>([
      'purge',
      '--older-than',
      '1ms',
      '--dry-run',
      '-o',
      'json',
    ]);
    expect(dry).toMatchObject({ interceptions: before.count, dry_run: true, done: true });
    expect(dry.rows).toBeGreaterThan(before.count);
    expect((await w.api<{ count: number }>('/api/v2/aibridge/interceptions?limit=1')).count).toBe(
      before.count,
    );
    const none = await w.cli(['purge', '--older-than', '30d', '--dry-run'], { TZ: 'UTC' });
    expect(none.stdout).toMatch(
      /^Would delete 0 interceptions \(0 rows with their records\) that started before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\n$/,
    );
    const real = await w.cli(['purge', '--older-than', '1ms', '--yes']);
    expect(real).toMatchObject({ code: 0, stderr: '' });
    expect(real.stdout).toMatch(new RegExp(`^Deleted ${before.count} interceptions \\(${dry.rows} rows`));
    expect((await w.api<{ count: number }>('/api/v2/aibridge/interceptions?limit=1')).count).toBe(0);
  });
});
