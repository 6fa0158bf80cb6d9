import type { IncomingHttpHeaders } from 'node:http';

/** The client names the reference records (and the dashboard filters on). */
export const CLIENTS = {
  mux: 'Mux',
  claudeCode: 'Claude Code',
  codex: 'Codex',
  zed: 'Zed',
  copilotVsCode: 'GitHub Copilot (VS Code)',
  copilotCli: 'GitHub Copilot (CLI)',
  kiloCode: 'Kilo Code',
  rooCode: 'Roo Code',
  coderAgents: 'Coder Agents',
  charmCrush: 'Charm Crush',
  cursor: 'Cursor',
  opencode: 'opencode',
  vercelAiSdk: 'Vercel AI SDK',
  openaiAgentsSdk: 'OpenAI Agents SDK',
  langchainJs: 'LangChain JS',
  unknown: 'Unknown',
} as const;

/** One of the recorded client names. */
export type ClientName = (typeof CLIENTS)[keyof typeof CLIENTS];

const BY_USER_AGENT_PREFIX: Array<[prefix: string, client: ClientName]> = [
  ['mux/', CLIENTS.mux],
  ['claude', CLIENTS.claudeCode],
  ['codex', CLIENTS.codex],
  ['zed/', CLIENTS.zed],
  ['githubcopilotchat/', CLIENTS.copilotVsCode],
  ['copilot/', CLIENTS.copilotCli],
  // opencode 1.18 builds on the AI SDK: `opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/…`
  // (fixtures/clients/opencode-*), so it must win over the AI SDK's own prefixes below.
  ['opencode/', CLIENTS.opencode],
  // `ai` 6 generateText: `ai/6.0.333 ai-sdk/provider-utils/…`; streamText and the provider
  // packages alone: `ai-sdk/openai/3.0.141 …`, `ai-sdk/anthropic/3.0.140 …` (fixtures/clients/vercel-ai-sdk-*).
  ['ai/', CLIENTS.vercelAiSdk],
  ['ai-sdk/', CLIENTS.vercelAiSdk],
  // @openai/agents 0.20: `Agents/JavaScript 0.20.0` (fixtures/clients/openai-agents-js).
  ['agents/javascript', CLIENTS.openaiAgentsSdk],
  // @langchain/openai 1.5: `langchainjs-openai/1.0.0 (…)` (fixtures/clients/langchain-openai-chat).
  ['langchainjs-', CLIENTS.langchainJs],
];

/**
 * Which agent sent a request, from its User-Agent (case-insensitive prefixes, first match
 * wins) and a few tell-tale headers, exactly in the reference's order, so the same traffic
 * gets the same label. Claude Code sends `claude-cli/…`; Codex `codex_exec/…` or `codex-tui/…`.
 */
export function guessClient(headers: IncomingHttpHeaders): ClientName {
  const userAgent = (headers['user-agent'] ?? '').toLowerCase();
  for (const [prefix, client] of BY_USER_AGENT_PREFIX) {
    if (userAgent.startsWith(prefix)) return client;
  }
  const originator = String(headers.originator ?? '').toLowerCase();
  if (userAgent.startsWith('kilo-code/') || originator === 'kilo-code') return CLIENTS.kiloCode;
  if (userAgent.startsWith('roo-code/') || originator === 'roo-code') return CLIENTS.rooCode;
  if (userAgent.startsWith('coder-agents/')) return CLIENTS.coderAgents;
  if (userAgent.startsWith('charm crush/')) return CLIENTS.charmCrush;
  if (headers['x-cursor-client-version'] !== undefined) return CLIENTS.cursor;
  return CLIENTS.unknown;
}
