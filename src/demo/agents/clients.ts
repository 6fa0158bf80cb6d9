import { randomUUID } from 'node:crypto';
import { ChatConversation } from './chat.js';
import type { Conversation } from './conversation.js';
import { MessagesConversation } from './messages.js';
import { ResponsesConversation } from './responses.js';
import { CLAUDE_CODE_TOOLS, CODEX_TOOLS, CURSOR_TOOLS, WEATHER_TOOL } from './tools.js';

/**
 * Simulated clients: each sends what the real one sends to a provider (captured in
 * test/fixtures/clients) — its User-Agent and session headers, its body shape, streaming or
 * not — with an aibridge token as the API key, so the gateway detects and groups them as it
 * would the real thing.
 */
export interface Agent {
  /** The client name the gateway should record. */
  readonly client: string;
  /** The client's own session id, when it sends one. */
  readonly sessionId: string | undefined;
  readonly conversation: Conversation;
  /** Headers of the next request (auth included). */
  headers(): Record<string, string>;
  /** A new human turn starts (Codex numbers its turns). */
  nextTurn(): void;
}

// Long, stable instructions: what makes real agents' requests big and their caches pay off.
const GUIDELINES = [
  'Prefer small, focused changes and explain the reasoning behind each one.',
  'Read the relevant files before editing them; never guess at code you have not seen.',
  'Run the tests after a change and report failures with the exact output.',
  'Keep the user informed with short status updates while working through a task.',
  'Follow the conventions of the repository: naming, formatting, test layout and commit style.',
  'When a command fails, read the error, form a hypothesis, and verify it before changing code.',
];
const instructions = (who: string) =>
  `${who}\n\n${Array.from({ length: 12 }, (_, i) => `${i + 1}. ${GUIDELINES[i % GUIDELINES.length]}`).join('\n')}`;

const STAINLESS = { 'x-stainless-lang': 'js', 'x-stainless-os': 'Linux', 'x-stainless-runtime': 'node' };

/** Claude Code (`claude-cli/…`): Messages API with `?beta=true`, always streaming, thinking, cache_control, its session id in a header and in metadata. */
export function claudeCode(token: string, options: { sessionId?: string; model?: string } = {}): Agent {
  const sessionId = options.sessionId ?? randomUUID();
  const conversation = new MessagesConversation({
    model: options.model ?? 'claude-sonnet-4-5',
    stream: true,
    beta: true,
    maxTokens: 32000,
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli;' },
      {
        type: 'text',
        text: instructions("You are Claude Code, Anthropic's official CLI for Claude."),
        cache_control: { type: 'ephemeral' },
      },
    ],
    tools: CLAUDE_CODE_TOOLS,
    thinking: { type: 'adaptive' },
    metadata: {
      user_id: JSON.stringify({ device_id: 'demo-device', account_uuid: '', session_id: sessionId }),
    },
    reminders: [
      '<system-reminder>\nAs you answer the user’s questions, you can use the project context.\n</system-reminder>',
    ],
  });
  return {
    client: 'Claude Code',
    sessionId,
    conversation,
    nextTurn: () => {},
    headers: () => ({
      'user-agent': 'claude-cli/2.1.197 (external, cli)',
      'x-app': 'cli',
      'x-claude-code-session-id': sessionId,
      'anthropic-version': '2023-06-01',
      'anthropic-beta':
        'claude-code-20250219,interleaved-thinking-2025-05-14,prompt-caching-scope-2026-01-05',
      'x-stainless-package-version': '0.94.0',
      ...STAINLESS,
      'x-api-key': token,
    }),
  };
}

/** Codex CLI (`codex_exec/…` or `codex-tui/…`): Responses API, streaming, reasoning summaries, `session-id` header and turn metadata. */
export function codex(
  token: string,
  options: { sessionId?: string; model?: string; tui?: boolean; cwd?: string } = {},
): Agent {
  const sessionId = options.sessionId ?? randomUUID();
  const originator = options.tui ? 'codex-tui' : 'codex_exec';
  let turnId = randomUUID();
  const conversation = new ResponsesConversation({
    model: options.model ?? 'gpt-5-codex',
    stream: true,
    preamble: [
      {
        type: 'message',
        role: 'developer',
        content: [
          { type: 'input_text', text: instructions('You are a coding agent running in the Codex CLI.') },
        ],
      },
      {
        type: 'message',
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: `<environment_context>\n  <cwd>${options.cwd ?? '/workspace'}</cwd>\n  <shell>bash</shell>\n</environment_context>`,
          },
        ],
      },
    ],
    tools: CODEX_TOOLS,
    reasoning: { effort: 'medium', summary: 'auto' },
    extra: {
      store: false,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: sessionId,
      client_metadata: { session_id: sessionId },
    },
  });
  return {
    client: 'Codex',
    sessionId,
    conversation,
    nextTurn: () => {
      turnId = randomUUID();
    },
    headers: () => ({
      'user-agent': `${originator}/0.171.0 (Debian 12.0.0; x86_64) xterm (${originator}; 0.171.0)`,
      originator,
      'session-id': sessionId,
      'thread-id': sessionId,
      'x-client-request-id': sessionId,
      'x-codex-turn-metadata': JSON.stringify({
        session_id: sessionId,
        thread_id: sessionId,
        turn_id: turnId,
        request_kind: 'turn',
        thread_source: 'user',
        model: options.model ?? 'gpt-5-codex',
      }),
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    }),
  };
}

/** Cursor with its own OpenAI key: Chat Completions, streaming, its tools; no session header, so each thread is a session. */
export function cursor(token: string, options: { model?: string } = {}): Agent {
  return {
    client: 'Cursor',
    sessionId: undefined,
    conversation: new ChatConversation({
      model: options.model ?? 'gpt-5',
      stream: true,
      system: instructions(
        'You are a powerful agentic AI coding assistant, powered by GPT-5. You operate in Cursor.',
      ),
      tools: CURSOR_TOOLS,
    }),
    nextTurn: () => {},
    headers: () => ({
      'user-agent': 'connect-es/1.6.1',
      'x-cursor-client-version': '2.1.46',
      authorization: `Bearer ${token}`,
    }),
  };
}

/** A script on the `openai` SDK: Chat Completions (optionally with a weather tool) or Responses. */
export function openaiSdk(
  token: string,
  options: { api?: 'chat' | 'responses'; stream?: boolean; model?: string; weather?: boolean } = {},
): Agent {
  const model = options.model ?? 'gpt-4.1-mini';
  const stream = options.stream ?? false;
  return {
    client: 'OpenAI SDK (JS)',
    sessionId: undefined,
    conversation:
      options.api === 'responses'
        ? new ResponsesConversation({ model, stream })
        : new ChatConversation({ model, stream, ...(options.weather ? { tools: [WEATHER_TOOL] } : {}) }),
    nextTurn: () => {},
    headers: () => ({
      'user-agent': 'OpenAI/JS 6.49.0',
      'x-stainless-package-version': '6.49.0',
      ...STAINLESS,
      authorization: `Bearer ${token}`,
    }),
  };
}

/** A script on `@anthropic-ai/sdk`: plain Messages calls, the key as a Bearer token. */
export function anthropicSdk(token: string, options: { stream?: boolean; model?: string } = {}): Agent {
  return {
    client: 'Anthropic SDK (JS)',
    sessionId: undefined,
    conversation: new MessagesConversation({
      model: options.model ?? 'claude-haiku-4-5',
      stream: options.stream ?? false,
      maxTokens: 1024,
    }),
    nextTurn: () => {},
    headers: () => ({
      'user-agent': 'Anthropic/JS 1.14.0',
      'x-stainless-package-version': '1.14.0',
      ...STAINLESS,
      'anthropic-version': '2026-10-21',
      authorization: `Bearer ${token}`,
    }),
  };
}
