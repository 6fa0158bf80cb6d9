import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The real agents, installed from npm outside the repository (each is a native binary of
 * 200–400 MB, so neither is a devDependency): `.ci/run` installs pinned versions into a cache
 * folder and exports these; elsewhere the suites that need them are skipped.
 */
export const CLAUDE_BIN = process.env.AIBRIDGE_CLAUDE_BIN;
export const CODEX_BIN = process.env.AIBRIDGE_CODEX_BIN;

const run = promisify(execFile);

/** What a CLI run left: its exit code and everything it printed. */
export interface CliRun {
  code: number;
  output: string;
}

/** A HOME (and CODEX_HOME) of its own, so no person's configuration or login is read. */
export function scratchHome(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `aibridge-${prefix}-`));
}

async function runCli(
  bin: string,
  args: string[],
  home: string,
  env: Record<string, string>,
): Promise<CliRun> {
  const child = run(bin, args, {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
    cwd: home,
    // Only bounds a hang; the CLIs answer in about a second.
    timeout: 90_000,
  });
  // Both read a prompt from stdin too until it ends.
  child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, output: `${stdout}\n${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}\n${failed.stderr ?? ''}` };
  }
}

/**
 * `claude -p PROMPT` against `baseUrl` (an aibridge route such as `…/api/v2/aibridge/anthropic`),
 * with `env` choosing the credential (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN,
 * CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_CUSTOM_HEADERS), no telemetry and no update check.
 */
export function runClaude(home: string, baseUrl: string, env: Record<string, string>): Promise<CliRun> {
  return runCli(CLAUDE_BIN as string, ['-p', 'say hello', '--model', 'claude-sonnet-4-5'], home, {
    ANTHROPIC_BASE_URL: baseUrl,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ...env,
  });
}

/** How Codex reaches aibridge: a custom model provider in its config.toml, or the built-in one. */
export interface CodexProvider {
  baseUrl: string;
  /** The variable whose value goes upstream as `Authorization: Bearer`. */
  envKey: string;
  websockets: boolean;
  /** Extra headers from variables (`env_http_headers`): header name → variable name. */
  envHeaders?: Record<string, string>;
  /**
   * Codex's built-in `openai` provider pointed at `baseUrl` with `openai_base_url` (what most
   * people configure), authenticated by `CODEX_API_KEY`; `envKey`, `websockets` and the
   * headers do not apply, as built-in providers cannot be overridden.
   */
  builtin?: boolean;
}

/** `codex exec` arguments for a new thread that says hello. */
export const CODEX_NEW_THREAD = ['--color', 'never', 'say hello'];
/** `codex exec resume --last`: continues the newest thread recorded in CODEX_HOME. */
export const CODEX_RESUME_LAST = ['resume', '--last', 'say more'];

function codexConfig(provider: CodexProvider): string[] {
  if (provider.builtin) return ['model = "gpt-4o-mini"', `openai_base_url = "${provider.baseUrl}"`];
  const headers = Object.entries(provider.envHeaders ?? {})
    .map(([header, variable]) => `"${header}" = "${variable}"`)
    .join(', ');
  return [
    'model = "gpt-4o-mini"',
    'model_provider = "aibridge"',
    '[model_providers.aibridge]',
    'name = "aibridge"',
    `base_url = "${provider.baseUrl}"`,
    `env_key = "${provider.envKey}"`,
    'wire_api = "responses"',
    `supports_websockets = ${provider.websockets}`,
    // A failure shows at once instead of after Codex's back-off.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    ...(headers ? [`env_http_headers = { ${headers} }`] : []),
  ];
}

/**
 * `codex exec ARGS` (a new thread by default) with CODEX_HOME = `home`, configured for
 * `provider`; shell commands run without a sandbox, as containers have none to give.
 */
export function runCodex(
  home: string,
  provider: CodexProvider,
  env: Record<string, string>,
  args: string[] = CODEX_NEW_THREAD,
): Promise<CliRun> {
  writeFileSync(join(home, 'config.toml'), codexConfig(provider).join('\n'));
  return runCli(
    CODEX_BIN as string,
    ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', ...args],
    home,
    {
      CODEX_HOME: home,
      ...env,
    },
  );
}

/**
 * `codex exec ARGS` through aibridge's `openai` instance as a custom provider with
 * `supports_websockets = true`, authenticated with `token`: the WebSocket path most tests take.
 */
export function runCodexOverSocket(
  home: string,
  server: { url: string },
  token: string,
  args: string[] = CODEX_NEW_THREAD,
): Promise<CliRun> {
  const baseUrl = `${server.url}/api/v2/aibridge/openai/v1`;
  return runCodex(
    home,
    { baseUrl, envKey: 'AIBRIDGE_TOKEN', websockets: true },
    { AIBRIDGE_TOKEN: token },
    args,
  );
}

const codexItem = {
  id: 'msg_c1',
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'hello from the fake', annotations: [] }],
};

/** A whole Responses stream as Codex reads it: one assistant message, `hello from the fake`. */
export const CODEX_STREAM = [
  {
    type: 'response.created',
    sequence_number: 0,
    response: { id: 'resp_c1', object: 'response', status: 'in_progress', model: 'gpt-4o-mini', output: [] },
  },
  {
    type: 'response.output_item.added',
    sequence_number: 1,
    output_index: 0,
    item: { ...codexItem, status: 'in_progress', content: [] },
  },
  {
    type: 'response.output_text.delta',
    sequence_number: 2,
    item_id: 'msg_c1',
    output_index: 0,
    content_index: 0,
    delta: 'hello from the fake',
  },
  { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item: codexItem },
  {
    type: 'response.completed',
    sequence_number: 4,
    response: {
      id: 'resp_c1',
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      output: [codexItem],
      usage: {
        input_tokens: 11,
        output_tokens: 2,
        total_tokens: 13,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    },
  },
]
  .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  .join('');
