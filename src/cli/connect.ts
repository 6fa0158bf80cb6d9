import { hostname } from 'node:os';
import { Argument, type Command, Option } from 'commander';
import type { ResponseOf } from '../api/endpoint-types.js';
import { type ConnectTarget, TOKEN_ENV } from '../connect/agent-config.js';
import {
  AgentFileError,
  claudeSettingsPath,
  codexConfigPath,
  mergeClaudeSettings,
  mergeCodexConfig,
  readIfExists,
  writeAgentFile,
} from '../connect/agent-files.js';
import { connectSnippets } from '../connect/snippets.js';
import { ApiClient, type ApiFlags, addApiFlags } from './api-client.js';
import { CliError } from './errors.js';
import { withExamples } from './flags.js';
import { writeText } from './output.js';

const AGENTS = ['claude-code', 'codex'] as const;
type Agent = (typeof AGENTS)[number];

interface ConnectFlags extends ApiFlags {
  print?: boolean;
  useToken?: string;
  name?: string;
  lifetime?: string;
}

/** `aibridge connect claude-code|codex`: the connect page's setup, written into the agent's own config. */
export function registerConnectCommand(program: Command): void {
  const connect = program
    .command('connect')
    .description(
      "Point Claude Code or Codex at this aibridge server (writes the agent's config, backing it up)",
    )
    .addArgument(new Argument('<agent>', 'the agent to set up').choices(AGENTS))
    .option('--print', 'print the setup instead of writing it')
    .option('--use-token <token>', 'put this aibridge token in the setup instead of issuing a new one')
    .option('--name <name>', 'name of the token issued for the agent (default: <agent>-<host>-<time>)')
    .addOption(new Option('--lifetime <duration>', 'how long the issued token is valid (default 30d)'));
  addApiFlags(connect);
  withExamples(connect, [
    'aibridge connect claude-code            # merges into ~/.claude/settings.json',
    'aibridge connect codex                  # merges into ~/.codex/config.toml',
    'aibridge connect codex --print          # prints it instead',
  ]);
  connect.addHelpText(
    'after',
    '\nIt uses your stored login (or --url/--token) to issue a personal token for the agent;\n' +
      'what was in the file before is kept beside it as <file>.<time>.bak.\n',
  );
  connect.action(async (agent: Agent, flags: ConnectFlags) => {
    const client = await ApiClient.connect(flags);
    const target = await targetFor(client, agent, flags);
    if (flags.print) return printSetup(agent, target);
    if (agent === 'claude-code') return writeClaudeCode(target);
    return writeCodex(target);
  });
}

/** The server's public URL and provider routes, and the token to write (issued unless given). */
async function targetFor(client: ApiClient, agent: Agent, flags: ConnectFlags): Promise<ConnectTarget> {
  const settings = await client.get<ResponseOf<'/api/v2/connect'>>('/api/v2/connect');
  const token =
    flags.useToken ??
    (
      await client.request<{ key: string }>('POST', '/api/v2/users/me/keys', {
        body: { token_name: flags.name ?? defaultTokenName(agent), lifetime: flags.lifetime },
      })
    ).key;
  return {
    baseUrl: settings.public_url ?? client.url,
    token,
    anthropicProvider: settings.anthropic_provider ?? 'anthropic',
    openaiProvider: settings.openai_provider ?? 'openai',
  };
}

/** `claude-code-laptop-20261208T0315`: which agent on which machine, unique per run. */
function defaultTokenName(agent: Agent): string {
  const host = hostname()
    .replace(/[^\w.-]+/g, '-')
    .slice(0, 24);
  const at = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${agent}-${host}-${at}`.slice(0, 64);
}

const SNIPPETS: Record<Agent, string[]> = {
  'claude-code': ['claude-code-settings'],
  codex: ['codex-config', 'token-env'],
};

async function printSetup(agent: Agent, target: ConnectTarget): Promise<void> {
  const snippets = connectSnippets(target).filter((s) => SNIPPETS[agent].includes(s.id));
  const text = snippets.map((s) => `# ${s.file ?? s.title}\n${s.text}`).join('\n');
  await writeText(process.stdout, text);
}

async function writeClaudeCode(target: ConnectTarget): Promise<void> {
  const path = claudeSettingsPath();
  const existing = await readIfExists(path);
  const { text, removed } = mergeOrExplain(path, () => mergeClaudeSettings(existing, target));
  const { backup } = await writeAgentFile(path, text);
  report(path, backup);
  if (removed.length > 0) {
    process.stderr.write(`Removed ${removed.join(', ')} from its env (the aibridge token replaces it).\n`);
  }
  process.stderr.write('Start `claude`: it now goes through aibridge.\n');
}

async function writeCodex(target: ConnectTarget): Promise<void> {
  const path = codexConfigPath();
  const existing = await readIfExists(path);
  const text = mergeOrExplain(path, () => mergeCodexConfig(existing, target));
  const { backup } = await writeAgentFile(path, text);
  report(path, backup);
  process.stderr.write(
    `Codex reads the token from ${TOKEN_ENV}: add this line to your shell profile, then start \`codex\`:\n`,
  );
  await writeText(process.stdout, `export ${TOKEN_ENV}='${target.token}'\n`);
}

function mergeOrExplain<T>(path: string, merge: () => T): T {
  try {
    return merge();
  } catch (error) {
    if (!(error instanceof AgentFileError)) throw error;
    throw new CliError(
      `cannot update ${path}: ${error.message}; fix it or move it away, then run this again`,
    );
  }
}

function report(path: string, backup: string | undefined): void {
  process.stderr.write(
    backup ? `Updated ${path} (the previous version is in ${backup}).\n` : `Wrote ${path}.\n`,
  );
}
