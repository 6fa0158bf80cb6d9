import { describe, expect, it } from 'vitest';
import { CLIENT_RULES, CLIENTS, type ClientName, guessClient } from './client.js';

/**
 * Header fixtures for every rule: what each client sends (User-Agent strings as captured, or as
 * the client's source builds them; see the comment on each rule in client.ts).
 */
const FIXTURES: Array<[ClientName, Record<string, string>]> = [
  [CLIENTS.mux, { 'user-agent': 'mux/0.9.0' }],
  [CLIENTS.claudeCode, { 'user-agent': 'claude-cli/2.1.197 (external, cli)', 'x-app': 'cli' }],
  [
    CLIENTS.codex,
    { 'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb', originator: 'codex_exec' },
  ],
  [CLIENTS.codex, { 'user-agent': 'codex-tui/0.171.0 (Debian 12.0.0; x86_64) xterm-256color' }],
  [CLIENTS.codex, { 'user-agent': 'codex_cli_rs/0.38.0 (Ubuntu 24.04.2 LTS; x86_64) WindowsTerminal' }],
  [CLIENTS.zed, { 'user-agent': 'Zed/0.200.1 (macos; aarch64)' }],
  [CLIENTS.copilotVsCode, { 'user-agent': 'GitHubCopilotChat/0.31.0' }],
  [CLIENTS.copilotCli, { 'user-agent': 'copilot/1.0.2 (linux v20.20.2) term/xterm-256color' }],
  [CLIENTS.kiloCode, { 'user-agent': 'Kilo-Code/4.80.0' }],
  [CLIENTS.kiloCode, { 'user-agent': 'node', originator: 'kilo-code' }],
  [CLIENTS.rooCode, { 'user-agent': 'roo-code/3.25' }],
  [CLIENTS.rooCode, { 'user-agent': 'RooCode/3.53.0', 'x-title': 'Roo Code' }],
  [CLIENTS.rooCode, { 'user-agent': 'OpenAI/JS 5.12.2', 'x-title': 'Roo Code' }],
  [CLIENTS.rooCode, { originator: 'roo-code' }],
  [CLIENTS.coderAgents, { 'user-agent': 'coder-agents/1.0' }],
  [CLIENTS.charmCrush, { 'user-agent': 'Charm Crush/0.7.0' }],
  [CLIENTS.cursor, { 'user-agent': 'Mozilla/5.0', 'x-cursor-client-version': '1.5' }],
  [CLIENTS.opencode, { 'user-agent': 'opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14' }],
  [
    CLIENTS.cline,
    { 'user-agent': 'Cline/4.1.16 ai-sdk/openai-compatible/3.0.30 ai-sdk/provider-utils/5.0.27' },
  ],
  [
    CLIENTS.cline,
    { 'user-agent': 'OpenAI/JS 4.96.0', 'http-referer': 'https://cline.bot', 'x-title': 'Cline' },
  ],
  [CLIENTS.continue, { 'user-agent': 'Continue/IDE', 'x-title': 'Continue' }],
  [CLIENTS.continue, { 'user-agent': 'OpenAI/JS 5.0.0', 'http-referer': 'https://www.continue.dev/' }],
  [
    CLIENTS.aider,
    { 'user-agent': 'OpenAI/Python 1.99.9', 'http-referer': 'https://aider.chat', 'x-title': 'Aider' },
  ],
  [CLIENTS.geminiCli, { 'user-agent': 'GeminiCLI/0.9.0 (linux; x64)' }],
  [CLIENTS.openaiAgentsSdk, { 'user-agent': 'Agents/JavaScript 0.20.0' }],
  [CLIENTS.openaiAgentsSdk, { 'user-agent': 'Agents/Python 0.4.2' }],
  [CLIENTS.langchainJs, { 'user-agent': 'langchainjs-openai/1.0.0 ((node/v20.20.2; linux; x64))' }],
  [CLIENTS.vercelAiSdk, { 'user-agent': 'ai/6.0.333 ai-sdk/provider-utils/4.0.66 runtime/node.js/v20.20.2' }],
  [
    CLIENTS.vercelAiSdk,
    { 'user-agent': 'ai-sdk/openai/3.0.141 ai-sdk/provider-utils/4.0.66 runtime/node.js/v20.20.2' },
  ],
  [CLIENTS.openaiSdkJs, { 'user-agent': 'OpenAI/JS 6.49.0' }],
  [CLIENTS.openaiSdkJs, { 'user-agent': 'AzureOpenAI/JS 6.49.0' }],
  [CLIENTS.openaiSdkPython, { 'user-agent': 'OpenAI/Python 1.99.9' }],
  [CLIENTS.openaiSdkPython, { 'user-agent': 'AsyncOpenAI/Python 1.99.9' }],
  [CLIENTS.anthropicSdkJs, { 'user-agent': 'Anthropic/JS 1.14.0' }],
  [CLIENTS.anthropicSdkPython, { 'user-agent': 'Anthropic/Python 0.69.0' }],
  [CLIENTS.anthropicSdkPython, { 'user-agent': 'AsyncAnthropic/Python 0.69.0' }],
  [CLIENTS.unknown, {}],
  [CLIENTS.unknown, { 'user-agent': 'curl/8.5.0' }],
  [CLIENTS.unknown, { 'user-agent': 'OpenAI/Go 1.0.0' }],
];

describe('guessClient', () => {
  it.each(FIXTURES)('%s ← %j', (client, headers) => {
    expect(guessClient(headers)).toBe(client);
  });

  it('has a fixture for every rule', () => {
    const covered = new Set(FIXTURES.map(([client]) => client));
    for (const rule of CLIENT_RULES) expect(covered, rule.client).toContain(rule.client);
  });

  it('keeps the reference labels first: a reference client with an SDK-looking header stays itself', () => {
    expect(guessClient({ 'user-agent': 'claude-cli/2.1.197', 'x-title': 'Cline' })).toBe(CLIENTS.claudeCode);
    expect(guessClient({ 'user-agent': 'OpenAI/JS 6.49.0', 'x-cursor-client-version': '1' })).toBe(
      CLIENTS.cursor,
    );
  });
});
