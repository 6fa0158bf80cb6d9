/**
 * The settings each agent needs to go through aibridge, as data: the connect page renders them
 * as text and `aibridge connect` merges them into the agent's own files, so both say the same
 * thing. Pure (no Node or browser APIs): the dashboard imports this file too.
 */

/** Where one person's agents reach this server, and with which token. */
export interface ConnectTarget {
  /** The server's public root, no trailing slash (`AIBRIDGE_PUBLIC_URL`, else the URL in use). */
  baseUrl: string;
  /** The person's aibridge token; undefined shows a placeholder until one is created. */
  token?: string | undefined;
  /** The provider instance names the routes use (`/api/v2/aibridge/<name>/…`). */
  anthropicProvider: string;
  openaiProvider: string;
}

/** What the snippets show in place of a token that has not been created yet. */
const TOKEN_PLACEHOLDER = '<your aibridge token>';

/** The environment variable the Codex, SDK and curl snippets read the token from. */
export const TOKEN_ENV = 'AIBRIDGE_TOKEN';

/** The id of aibridge's entry under Codex's `[model_providers]`. */
export const CODEX_PROVIDER_ID = 'aibridge';

/** Models the examples name (any model the provider instance serves works). */
export const EXAMPLE_MODELS = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-5' } as const;

/** The token to write, or the placeholder. */
export function tokenOf(target: ConnectTarget): string {
  return target.token ?? TOKEN_PLACEHOLDER;
}

/** Anthropic-style base URL: clients append `/v1/messages` themselves. */
export function anthropicBaseUrl(target: ConnectTarget): string {
  return `${target.baseUrl}/api/v2/aibridge/${target.anthropicProvider}`;
}

/** OpenAI-style base URL: clients append `/responses` or `/chat/completions`. */
export function openaiBaseUrl(target: ConnectTarget): string {
  return `${target.baseUrl}/api/v2/aibridge/${target.openaiProvider}/v1`;
}

/**
 * Claude Code's environment: `ANTHROPIC_BASE_URL` (it appends `/v1/messages`) and
 * `ANTHROPIC_AUTH_TOKEN` (sent as `Authorization: Bearer`), the same names in the shell or in
 * the `env` block of `~/.claude/settings.json` (code.claude.com/docs/en/settings, "env";
 * code.claude.com/docs/en/env-vars). `ANTHROPIC_API_KEY` must not be set beside it, or both
 * headers go out and a stale key may win (dev.to/aihubmix "Claude Code settings.json for an
 * LLM Gateway", tested on 2.1.304).
 */
export function claudeCodeEnv(target: ConnectTarget): Record<string, string> {
  return { ANTHROPIC_BASE_URL: anthropicBaseUrl(target), ANTHROPIC_AUTH_TOKEN: tokenOf(target) };
}

/** What `ANTHROPIC_AUTH_TOKEN` replaces and must be removed from Claude Code's settings. */
export const CLAUDE_CODE_CONFLICTING_ENV = ['ANTHROPIC_API_KEY'] as const;

/** One `[model_providers.<id>]` table of Codex's config.toml. */
export interface CodexProvider {
  name: string;
  base_url: string;
  env_key: string;
  wire_api: 'responses';
}

/**
 * Codex's custom provider: its built-in `openai` provider ignores overrides
 * (github.com/openai/codex/issues/11698), so aibridge is a `[model_providers.aibridge]` table
 * with `base_url` (Codex appends `/responses`), `env_key` naming the variable holding the token,
 * and `wire_api = "responses"`, the only value current Codex accepts
 * (developers.openai.com/codex/config-reference, "model_providers"; dev.to/aihubmix
 * "Codex config.toml: A Working Setup", Codex 0.162), selected by the root `model_provider`.
 */
export function codexProvider(target: ConnectTarget): CodexProvider {
  return { name: 'aibridge', base_url: openaiBaseUrl(target), env_key: TOKEN_ENV, wire_api: 'responses' };
}

/** The root keys aibridge sets in Codex's config.toml. */
export function codexRoot(): { model_provider: string; model: string } {
  return { model_provider: CODEX_PROVIDER_ID, model: EXAMPLE_MODELS.openai };
}

/**
 * opencode's custom provider (opencode.ai/docs/providers, "Custom provider"): the AI SDK's
 * OpenAI-compatible package with `options.baseURL` and `options.apiKey`, where `{env:NAME}`
 * reads a variable (opencode.ai/docs/config, "Variables"), and the models it may pick.
 */
export function opencodeConfig(target: ConnectTarget): Record<string, unknown> {
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      aibridge: {
        npm: '@ai-sdk/openai-compatible',
        name: 'aibridge',
        options: { baseURL: openaiBaseUrl(target), apiKey: `{env:${TOKEN_ENV}}` },
        models: { [EXAMPLE_MODELS.openai]: { name: EXAMPLE_MODELS.openai } },
      },
    },
  };
}

/** Continue's config.yaml, the part aibridge fills in. */
export interface ContinueConfig {
  name: string;
  version: string;
  schema: string;
  models: Array<{ name: string; provider: 'openai'; model: string; apiBase: string; apiKey: string }>;
}

/**
 * Continue's `config.yaml` model entry (docs.continue.dev/customize/model-providers/top-level/openai,
 * "OpenAI API compatible providers"): provider `openai` with `apiBase` and `apiKey` (sent as
 * `Authorization: Bearer`, docs.continue.dev/guides/how-to-self-host-a-model).
 */
export function continueConfig(target: ConnectTarget): ContinueConfig {
  return {
    name: 'aibridge',
    version: '0.0.1',
    schema: 'v1',
    models: [
      {
        name: `aibridge ${EXAMPLE_MODELS.openai}`,
        provider: 'openai',
        model: EXAMPLE_MODELS.openai,
        apiBase: openaiBaseUrl(target),
        apiKey: tokenOf(target),
      },
    ],
  };
}
