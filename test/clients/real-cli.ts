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

/** How Codex reaches aibridge: a custom model provider in its config.toml. */
export interface CodexProvider {
  baseUrl: string;
  /** The variable whose value goes upstream as `Authorization: Bearer`. */
  envKey: string;
  websockets: boolean;
  /** Extra headers from variables (`env_http_headers`): header name → variable name. */
  envHeaders?: Record<string, string>;
}

/** `codex exec PROMPT` with CODEX_HOME = `home`, configured for `provider`. */
export function runCodex(
  home: string,
  provider: CodexProvider,
  env: Record<string, string>,
): Promise<CliRun> {
  const headers = Object.entries(provider.envHeaders ?? {})
    .map(([header, variable]) => `"${header}" = "${variable}"`)
    .join(', ');
  writeFileSync(
    join(home, 'config.toml'),
    [
      'model = "gpt-4o-mini"',
      'model_provider = "aibridge"',
      '[model_providers.aibridge]',
      'name = "aibridge"',
      `base_url = "${provider.baseUrl}"`,
      `env_key = "${provider.envKey}"`,
      'wire_api = "responses"',
      `supports_websockets = ${provider.websockets}`,
      ...(headers ? [`env_http_headers = { ${headers} }`] : []),
    ].join('\n'),
  );
  return runCli(
    CODEX_BIN as string,
    ['exec', '--skip-git-repo-check', '--color', 'never', 'say hello'],
    home,
    {
      CODEX_HOME: home,
      ...env,
    },
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
