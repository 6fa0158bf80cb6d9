import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CODEX_PROVIDER_ID, TOKEN_ENV } from '../../src/connect/agent-config.js';
import type { Snippet } from '../../src/connect/snippets.js';
import type { FakeUpstream } from '../fake-upstream.js';
import { gatewayOverrides } from '../gateway.js';
import { startTestServer, type TestServer } from '../server.js';
import { bash, scratch, snippetsFor, snippetUpstream } from './harness.js';

/**
 * Every snippet of the connect page, run the way a person would: the SDK snippets with the
 * real `openai` and `@anthropic-ai/sdk` packages, curl with real curl, the token export with
 * bash, and the config files parsed and their values used by a real client. Claude Code and
 * Codex run too when AIBRIDGE_CLAUDE_BIN / AIBRIDGE_CODEX_BIN name their binaries (see
 * DEVELOPERS.md); Python runs when python3 has the packages, else it is parsed.
 */
const CLAUDE = process.env.AIBRIDGE_CLAUDE_BIN;
/** Debian ships python3; a machine without it skips the Python snippets and says so. */
const PYTHON = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const PYTHON_SNIPPETS = ['openai-python', 'anthropic-python'];
const CODEX = process.env.AIBRIDGE_CODEX_BIN;
let upstream: FakeUpstream;
let server: TestServer;
let token: string;
let snippets: Map<string, Snippet>;
const exercised = new Set<string>();
const work = scratch();

beforeAll(async () => {
  upstream = await snippetUpstream();
  server = await startTestServer('pglite', gatewayOverrides(upstream));
  token = (await server.createUser('connect-member')).token;
  snippets = await snippetsFor(server, token);
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
  work.remove();
});

function snippet(id: string): Snippet {
  const found = snippets.get(id);
  if (!found) throw new Error(`no snippet ${id}`);
  exercised.add(id);
  return found;
}

/** The interceptions the member's token made, newest last. */
async function recordedClients(): Promise<string[]> {
  const rows = await server.running.db.kysely
    .selectFrom('aibridge_interceptions')
    .select('client')
    .orderBy('started_at')
    .execute();
  return rows.map((r) => r.client ?? '');
}

/** Runs a JavaScript snippet with node after the token snippet's export line. */
async function runJs(id: string): Promise<string> {
  const file = work.file(`${id}.mjs`, snippet(id).text);
  const { stdout } = await bash(`${snippet('token-env').text}node ${file}`, { cwd: work.dir });
  return stdout;
}

/** Chat completions with the real OpenAI SDK, as an OpenAI-compatible tool configured so would. */
async function chatWith(baseURL: string, apiKey: string): Promise<string | null | undefined> {
  const client = new OpenAI({ baseURL, apiKey });
  const reply = await client.chat.completions.create({
    model: 'gpt-5',
    messages: [{ role: 'user', content: 'hi' }],
  });
  return reply.choices[0]?.message.content;
}

describe('the connect page snippets', () => {
  it('fill in the server URL, the provider routes and the token', () => {
    const holdToken = ['claude-code-env', 'claude-code-settings', 'token-env', 'cursor', 'cline', 'continue'];
    for (const s of snippets.values()) {
      // The rest read it from AIBRIDGE_TOKEN, which the token snippet exports.
      expect(s.text.includes(token), s.id).toBe(holdToken.includes(s.id));
      if (s.id !== 'token-env') expect(s.text, s.id).toContain(`${server.url}/api/v2/aibridge/`);
    }
  });

  it('JavaScript: the OpenAI and Anthropic SDKs answer through aibridge', async () => {
    expect((await runJs('openai-js')).trim().length).toBeGreaterThan(0);
    expect((await runJs('anthropic-js')).trim().length).toBeGreaterThan(0);
    const clients = await recordedClients();
    expect(clients).toContain('OpenAI SDK (JS)');
    expect(clients).toContain('Anthropic SDK (JS)');
  }, 60_000);

  it('curl: both APIs answer 200 with the exported token', async () => {
    for (const id of ['curl-openai', 'curl-anthropic']) {
      const { stdout } = await bash(`${snippet('token-env').text}${snippet(id).text}`, { cwd: work.dir });
      const body = JSON.parse(stdout) as { id?: string; error?: unknown };
      expect(body.error ?? null).toBeNull();
      expect(body.id).toBeTruthy();
    }
  });

  it.skipIf(!PYTHON)(
    `Python: runs with the real packages when installed, else is valid Python${PYTHON ? '' : ' [SKIPPED: no python3]'}`,
    async () => {
      for (const [id, module] of [
        ['openai-python', 'openai'],
        ['anthropic-python', 'anthropic'],
      ] as const) {
        const file = work.file(`${id}.py`, snippet(id).text);
        let installed = true;
        try {
          execFileSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' });
        } catch {
          installed = false;
        }
        if (installed) {
          const { stdout } = await bash(`${snippet('token-env').text}python3 ${file}`, { cwd: work.dir });
          expect(stdout.trim().length).toBeGreaterThan(0);
        } else {
          // No pip packages on this machine: the snippet is at least valid Python 3.
          execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', file]);
        }
      }
    },
  );

  it('Claude Code: the env vars and settings.json env block reach the Messages API as it calls it', async () => {
    const settings = JSON.parse(snippet('claude-code-settings').text) as { env: Record<string, string> };
    expect(Object.keys(settings.env).sort()).toEqual(['ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL']);
    // Claude Code appends /v1/messages to ANTHROPIC_BASE_URL and sends the token as a Bearer.
    const { stdout } = await bash(
      `${snippet('claude-code-env').text.replace(/\nclaude\n$/, '\n')}curl -sS -X POST "$ANTHROPIC_BASE_URL/v1/messages" -H "Authorization: Bearer $ANTHROPIC_AUTH_TOKEN" -H 'content-type: application/json' -d '{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}'`,
    );
    expect((JSON.parse(stdout) as { type: string }).type).toBe('message');
    expect(settings.env).toEqual(
      Object.fromEntries(
        [...snippet('claude-code-env').text.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]),
      ),
    );
  });

  it('Codex: the provider block has what Codex reads, and its base URL serves /responses', async () => {
    const config = parseToml(snippet('codex-config').text) as {
      model_provider: string;
      model_providers: Record<string, Record<string, string>>;
    };
    expect(config.model_provider).toBe(CODEX_PROVIDER_ID);
    const provider = config.model_providers[CODEX_PROVIDER_ID];
    expect(provider).toMatchObject({ wire_api: 'responses', env_key: TOKEN_ENV, name: 'aibridge' });
    expect(snippet('token-env').text).toContain(`export ${TOKEN_ENV}=`);
    const client = new OpenAI({ baseURL: provider?.base_url, apiKey: token });
    expect((await client.responses.create({ model: 'gpt-5', input: 'hi' })).id).toBeTruthy();
  });

  it('opencode, Continue, Cursor and Cline: their settings drive chat completions', async () => {
    const opencode = JSON.parse(snippet('opencode').text) as {
      provider: Record<string, { npm: string; options: { baseURL: string; apiKey: string }; models: object }>;
    };
    const entry = opencode.provider.aibridge;
    expect(entry?.npm).toBe('@ai-sdk/openai-compatible');
    expect(entry?.options.apiKey).toBe(`{env:${TOKEN_ENV}}`);
    expect(await chatWith(entry?.options.baseURL ?? '', token)).toBeTruthy();

    const cont = parseYaml(snippet('continue').text) as {
      models: Array<{ provider: string; apiBase: string; apiKey: string; model: string }>;
    };
    expect(cont.models[0]?.provider).toBe('openai');
    expect(await chatWith(cont.models[0]?.apiBase ?? '', cont.models[0]?.apiKey ?? '')).toBeTruthy();

    for (const id of ['cursor', 'cline']) {
      const fields = Object.fromEntries(
        [...snippet(id).text.matchAll(/^([\w ]+):\s+(\S+)$/gm)].map((m) => [m[1]?.trim(), m[2]]),
      );
      expect(await chatWith(fields['Base URL'] ?? '', fields['API key'] ?? '')).toBeTruthy();
    }
  });

  it.skipIf(!CLAUDE)(
    'Claude Code itself: both setups answer a prompt, recorded as Claude Code',
    async () => {
      const home = join(work.dir, 'claude-home');
      mkdirSync(join(home, '.claude'), { recursive: true });
      writeFileSync(join(home, '.claude', 'settings.json'), snippet('claude-code-settings').text);
      const quiet = { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
      const prompt = `"$CLAUDE_BIN" -p 'say hello' --output-format json`;
      const fromFile = await bash(prompt, {
        cwd: home,
        env: { ...quiet, CLAUDE_BIN: CLAUDE ?? '' },
        timeoutMs: 100_000,
      });
      const answer = JSON.parse(fromFile.stdout) as { is_error: boolean; result: string };
      expect(answer).toMatchObject({
        is_error: false,
        result: expect.stringContaining('famous philosophical'),
      });
      const shell = join(work.dir, 'claude-shell');
      mkdirSync(shell, { recursive: true });
      const fromEnv = await bash(snippet('claude-code-env').text.replace(/\nclaude\n$/, `\n${prompt}\n`), {
        cwd: shell,
        env: { ...quiet, CLAUDE_BIN: CLAUDE ?? '' },
        timeoutMs: 100_000,
      });
      expect(JSON.parse(fromEnv.stdout)).toMatchObject({
        is_error: false,
        result: expect.stringContaining('famous'),
      });
      expect(await recordedClients()).toContain('Claude Code');
    },
    220_000,
  );

  it.skipIf(!CODEX)(
    'Codex itself: codex exec answers with the config.toml snippet',
    async () => {
      const home = join(work.dir, 'codex-home');
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'config.toml'), snippet('codex-config').text);
      const { stdout, stderr } = await bash(
        `${snippet('token-env').text}"$CODEX_BIN" exec --skip-git-repo-check --color never 'say hello'`,
        { cwd: home, env: { CODEX_HOME: home, CODEX_BIN: CODEX ?? '' }, timeoutMs: 100_000 },
      );
      expect(stdout).toContain('scarecrow');
      expect(`${stdout}\n${stderr}`).not.toMatch(/ERROR/);
      expect(await recordedClients()).toContain('Codex');
    },
    120_000,
  );

  it('exercises every snippet the page shows', () => {
    const shown = [...snippets.keys()].filter((id) => PYTHON || !PYTHON_SNIPPETS.includes(id));
    expect([...exercised].sort()).toEqual(shown.sort());
  });
});
