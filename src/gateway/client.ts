import type { IncomingHttpHeaders } from 'node:http';

/** The client names the reference records (and the dashboard filters on), and the ones added since. */
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
  cline: 'Cline',
  continue: 'Continue',
  aider: 'Aider',
  geminiCli: 'Gemini CLI',
  openaiAgentsSdk: 'OpenAI Agents SDK',
  langchainJs: 'LangChain JS',
  vercelAiSdk: 'Vercel AI SDK',
  openaiSdkJs: 'OpenAI SDK (JS)',
  openaiSdkPython: 'OpenAI SDK (Python)',
  anthropicSdkJs: 'Anthropic SDK (JS)',
  anthropicSdkPython: 'Anthropic SDK (Python)',
  unknown: 'Unknown',
} as const;

/** One of the recorded client names. */
export type ClientName = (typeof CLIENTS)[keyof typeof CLIENTS];

/** What a rule looks at: the lower-cased User-Agent and the request's headers. */
interface Request {
  userAgent: string;
  headers: IncomingHttpHeaders;
}

/** One detection rule: a client and the test that recognises its requests. */
export interface ClientRule {
  client: ClientName;
  matches(request: Request): boolean;
}

const prefix =
  (...prefixes: string[]) =>
  ({ userAgent }: Request) =>
    prefixes.some((p) => userAgent.startsWith(p));
const header =
  (name: string, ...values: string[]) =>
  (request: Request) =>
    values.includes(String(request.headers[name] ?? '').toLowerCase());
const either =
  (...tests: Array<(request: Request) => boolean>) =>
  (request: Request) =>
    tests.some((test) => test(request));

/**
 * The rules in order, first match wins. The reference's come first and unchanged (§6.5), so
 * traffic it labels keeps its label; the rest only claim what it called Unknown: apps before
 * the frameworks they are built on (opencode and Cline send `ai-sdk/…` after their own name;
 * older Cline and Roo send the OpenAI SDK's User-Agent with their own `X-Title`), frameworks
 * before the SDKs they bundle.
 */
export const CLIENT_RULES: readonly ClientRule[] = [
  // The reference (coder/aibridge client.go), in its order.
  { client: CLIENTS.mux, matches: prefix('mux/') },
  // Claude Code: `claude-cli/2.1.197 (external, cli)` (test/fixtures/clients/claude-code-*).
  { client: CLIENTS.claudeCode, matches: prefix('claude') },
  // Codex: `codex_exec/0.171.0 …`, `codex-tui/…`, older `codex_cli_rs/…`, the same over
  // WebSocket (test/fixtures/clients/codex-*).
  { client: CLIENTS.codex, matches: prefix('codex') },
  // Zed: `Zed/<version> (<os>; <arch>)` (zed-industries/zed, crates/http_client).
  { client: CLIENTS.zed, matches: prefix('zed/') },
  { client: CLIENTS.copilotVsCode, matches: prefix('githubcopilotchat/') },
  { client: CLIENTS.copilotCli, matches: prefix('copilot/') },
  // Kilo Code: `Kilo-Code/<version>`, or `originator: kilo-code` (Kilo-Org/kilocode, api/providers/constants.ts).
  { client: CLIENTS.kiloCode, matches: either(prefix('kilo-code/'), header('originator', 'kilo-code')) },
  // Roo Code: the reference's `roo-code/`; Roo itself sends `RooCode/<version>` with
  // `X-Title: Roo Code` (RooCodeInc/Roo-Code, src/api/providers/constants.ts DEFAULT_HEADERS).
  {
    client: CLIENTS.rooCode,
    matches: either(
      prefix('roo-code/', 'roocode/'),
      header('originator', 'roo-code'),
      header('x-title', 'roo code'),
    ),
  },
  { client: CLIENTS.coderAgents, matches: prefix('coder-agents/') },
  { client: CLIENTS.charmCrush, matches: prefix('charm crush/') },
  // Cursor calls providers from its servers with `x-cursor-client-version` (the reference's rule).
  { client: CLIENTS.cursor, matches: ({ headers }) => headers['x-cursor-client-version'] !== undefined },

  // opencode 1.18: `opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14`
  // (test/fixtures/clients/opencode-*), before the AI SDK it is built on.
  { client: CLIENTS.opencode, matches: prefix('opencode/') },
  // Cline 4: `Cline/4.1.16 ai-sdk/openai-compatible/…`; Cline 3 keeps the OpenAI SDK's
  // User-Agent and adds `X-Title: Cline`, `HTTP-Referer: https://cline.bot`
  // (cline/cline, src/core/api/providers/*.ts defaultHeaders).
  {
    client: CLIENTS.cline,
    matches: either(
      prefix('cline/'),
      header('x-title', 'cline'),
      header('http-referer', 'https://cline.bot'),
    ),
  },
  // Continue: `X-Title: Continue`, `HTTP-Referer: https://www.continue.dev/`, `User-Agent:
  // Continue/IDE` on some providers (continuedev/continue, packages/openai-adapters/src/apis/OpenRouter.ts).
  {
    client: CLIENTS.continue,
    matches: either(
      prefix('continue/'),
      header('x-title', 'continue'),
      header('http-referer', 'https://www.continue.dev/'),
    ),
  },
  // Aider sends `X-Title: Aider`, `HTTP-Referer: http://aider.chat` where it can (Aider-AI/aider,
  // aider/llm.py OR_APP_NAME / OR_SITE_URL); elsewhere it is LiteLLM over the OpenAI Python SDK.
  {
    client: CLIENTS.aider,
    matches: either(
      header('x-title', 'aider'),
      header('http-referer', 'http://aider.chat', 'https://aider.chat'),
    ),
  },
  // Gemini CLI: `GeminiCLI/<version> (<platform>; <arch>)` (google-gemini/gemini-cli,
  // packages/core/src/core/contentGenerator.ts).
  { client: CLIENTS.geminiCli, matches: prefix('geminicli/') },
  // @openai/agents 0.20: `Agents/JavaScript 0.20.0` (test/fixtures/clients/openai-agents-js);
  // openai-agents-python: `Agents/Python <version>` (src/agents/models/openai_responses.py).
  { client: CLIENTS.openaiAgentsSdk, matches: prefix('agents/javascript', 'agents/python') },
  // @langchain/openai 1.5: `langchainjs-openai/1.0.0 (…)` (test/fixtures/clients/langchain-openai-chat).
  // @langchain/anthropic sends the Anthropic SDK's own User-Agent, so it is recorded as that SDK.
  { client: CLIENTS.langchainJs, matches: prefix('langchainjs-') },
  // `ai` 6 generateText: `ai/6.0.333 ai-sdk/provider-utils/…`; streamText and the provider
  // packages alone: `ai-sdk/openai/3.0.141 …`, `ai-sdk/anthropic/3.0.140 …` (test/fixtures/clients/vercel-ai-sdk-*).
  { client: CLIENTS.vercelAiSdk, matches: prefix('ai/', 'ai-sdk/') },
  // The Stainless-generated SDKs send `<ClientClass>/<Lang> <version>`: `OpenAI/JS 6.49.0`,
  // `Anthropic/JS 1.14.0` (test/fixtures/clients/*-sdk-js), `OpenAI/Python 1.x`, `AsyncOpenAI/Python …`,
  // `AzureOpenAI/JS …`, `AsyncAnthropic/Python …` (openai-python and anthropic-sdk-python,
  // src/*/_base_client.py user_agent; openai-node src/client.ts getUserAgent).
  { client: CLIENTS.openaiSdkJs, matches: sdk(/^(azure)?openai\/js /) },
  { client: CLIENTS.openaiSdkPython, matches: sdk(/^(async)?(azure)?openai\/python /) },
  { client: CLIENTS.anthropicSdkJs, matches: sdk(/^anthropic(bedrock|vertex|foundry)?\/js /) },
  {
    client: CLIENTS.anthropicSdkPython,
    matches: sdk(/^(async)?anthropic(bedrock|vertex|foundry)?\/python /),
  },
];

function sdk(pattern: RegExp): (request: Request) => boolean {
  return ({ userAgent }) => pattern.test(userAgent);
}

/**
 * Which agent sent a request, from its User-Agent (case-insensitive) and a few tell-tale
 * headers, by the first matching rule of CLIENT_RULES, so the same traffic always gets the
 * same label; Unknown when none matches.
 */
export function guessClient(headers: IncomingHttpHeaders): ClientName {
  const request = { userAgent: (headers['user-agent'] ?? '').toLowerCase(), headers };
  return CLIENT_RULES.find((rule) => rule.matches(request))?.client ?? CLIENTS.unknown;
}
