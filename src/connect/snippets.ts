import {
  anthropicBaseUrl,
  CODEX_PROVIDER_ID,
  type ConnectTarget,
  claudeCodeEnv,
  codexProvider,
  codexRoot,
  continueConfig,
  EXAMPLE_MODELS,
  openaiBaseUrl,
  opencodeConfig,
  TOKEN_ENV,
  tokenOf,
} from './agent-config.js';

/** The languages a snippet is written in (what the page labels it, what a test runs it with). */
type SnippetLanguage = 'bash' | 'json' | 'toml' | 'yaml' | 'python' | 'javascript' | 'text';

/** One copyable piece of setup on the connect page. */
export interface Snippet {
  /** Stable id: tests and the page's anchors find a snippet by it. */
  id: string;
  /** The agent or library it sets up. */
  agent: string;
  /** What this snippet is, e.g. "Environment variables". */
  title: string;
  language: SnippetLanguage;
  /** The file it belongs in, when it is a file's content. */
  file?: string;
  text: string;
  /** One line saying what to do with it. */
  note?: string;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
/** A TOML basic string: JSON's escapes are a subset TOML accepts. */
const tomlString = (value: string): string => JSON.stringify(value);
/** A shell word in single quotes. */
const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}

/** Codex's config.toml lines aibridge adds: root keys first, as TOML requires, then the table. */
function codexToml(target: ConnectTarget): string {
  const root = codexRoot();
  const provider = codexProvider(target);
  return [
    `model_provider = ${tomlString(root.model_provider)}`,
    `model = ${tomlString(root.model)}`,
    '',
    `[model_providers.${CODEX_PROVIDER_ID}]`,
    ...Object.entries(provider).map(([key, value]) => `${key} = ${tomlString(value)}`),
    '',
  ].join('\n');
}

/** Continue's config.yaml, written out with JSON-quoted scalars (valid YAML double-quoted strings). */
function continueYaml(target: ConnectTarget): string {
  const config = continueConfig(target);
  const lines = [`name: ${config.name}`, `version: ${config.version}`, `schema: ${config.schema}`, 'models:'];
  for (const model of config.models) {
    Object.entries(model).forEach(([key, value], i) => {
      lines.push(`${i === 0 ? '  - ' : '    '}${key}: ${JSON.stringify(value)}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

function claudeCode(target: ConnectTarget): Snippet[] {
  const env = claudeCodeEnv(target);
  return [
    {
      id: 'claude-code-env',
      agent: 'Claude Code',
      title: 'Environment variables',
      language: 'bash',
      text: `${exportLines(env)}claude\n`,
      note: 'For this shell only; add the export lines to your shell profile to keep them.',
    },
    {
      id: 'claude-code-settings',
      agent: 'Claude Code',
      title: 'Settings file',
      language: 'json',
      file: '~/.claude/settings.json',
      text: json({ env }),
      note: 'Merge the env block into your settings (or run `aibridge connect claude-code`).',
    },
  ];
}

function codex(target: ConnectTarget): Snippet[] {
  return [
    {
      id: 'codex-config',
      agent: 'Codex',
      title: 'Provider',
      language: 'toml',
      file: '~/.codex/config.toml',
      text: codexToml(target),
      note: `Add to your config (or run \`aibridge connect codex\`), then export ${TOKEN_ENV} as below.`,
    },
  ];
}

function tokenEnv(target: ConnectTarget): Snippet {
  return {
    id: 'token-env',
    agent: 'Token',
    title: `${TOKEN_ENV} for Codex, the SDKs, curl and opencode`,
    language: 'bash',
    text: exportLines({ [TOKEN_ENV]: tokenOf(target) }),
    note: 'Add it to your shell profile so every new terminal has it.',
  };
}

function sdks(target: ConnectTarget): Snippet[] {
  const openai = openaiBaseUrl(target);
  const anthropic = anthropicBaseUrl(target);
  return [
    {
      id: 'openai-js',
      agent: 'OpenAI SDK',
      title: 'JavaScript (npm install openai)',
      language: 'javascript',
      text: `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: ${JSON.stringify(openai)}, apiKey: process.env.${TOKEN_ENV} });
const response = await client.responses.create({ model: ${JSON.stringify(EXAMPLE_MODELS.openai)}, input: 'Say hello' });
console.log(response.output_text);
`,
    },
    {
      id: 'openai-python',
      agent: 'OpenAI SDK',
      title: 'Python (pip install openai)',
      language: 'python',
      text: `import os
from openai import OpenAI

client = OpenAI(base_url=${JSON.stringify(openai)}, api_key=os.environ["${TOKEN_ENV}"])
response = client.responses.create(model=${JSON.stringify(EXAMPLE_MODELS.openai)}, input="Say hello")
print(response.output_text)
`,
    },
    {
      id: 'anthropic-js',
      agent: 'Anthropic SDK',
      title: 'JavaScript (npm install @anthropic-ai/sdk)',
      language: 'javascript',
      text: `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: ${JSON.stringify(anthropic)}, apiKey: process.env.${TOKEN_ENV} });
const message = await client.messages.create({
  model: ${JSON.stringify(EXAMPLE_MODELS.anthropic)},
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Say hello' }],
});
console.log(message.content[0].text);
`,
    },
    {
      id: 'anthropic-python',
      agent: 'Anthropic SDK',
      title: 'Python (pip install anthropic)',
      language: 'python',
      text: `import os
from anthropic import Anthropic

client = Anthropic(base_url=${JSON.stringify(anthropic)}, api_key=os.environ["${TOKEN_ENV}"])
message = client.messages.create(
    model=${JSON.stringify(EXAMPLE_MODELS.anthropic)},
    max_tokens=1024,
    messages=[{"role": "user", "content": "Say hello"}],
)
print(message.content[0].text)
`,
    },
  ];
}

function curl(target: ConnectTarget): Snippet[] {
  const openaiBody = { model: EXAMPLE_MODELS.openai, input: 'Say hello' };
  const anthropicBody = {
    model: EXAMPLE_MODELS.anthropic,
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Say hello' }],
  };
  return [
    {
      id: 'curl-openai',
      agent: 'curl',
      title: 'OpenAI Responses API',
      language: 'bash',
      text: `curl ${shellQuote(`${openaiBaseUrl(target)}/responses`)} \\
  -H "Authorization: Bearer $${TOKEN_ENV}" \\
  -H 'content-type: application/json' \\
  -d ${shellQuote(JSON.stringify(openaiBody))}
`,
    },
    {
      id: 'curl-anthropic',
      agent: 'curl',
      title: 'Anthropic Messages API',
      language: 'bash',
      text: `curl ${shellQuote(`${anthropicBaseUrl(target)}/v1/messages`)} \\
  -H "x-api-key: $${TOKEN_ENV}" \\
  -H 'anthropic-version: 2023-06-01' \\
  -H 'content-type: application/json' \\
  -d ${shellQuote(JSON.stringify(anthropicBody))}
`,
    },
  ];
}

function compatibleTools(target: ConnectTarget): Snippet[] {
  const fields = `Base URL:  ${openaiBaseUrl(target)}\nAPI key:   ${tokenOf(target)}\nModel:     ${EXAMPLE_MODELS.openai}\n`;
  return [
    {
      id: 'cursor',
      agent: 'Cursor',
      title: 'Settings → Models → API Keys',
      language: 'text',
      text: fields,
      // cursor.com settings: "OpenAI API Key" + "Override OpenAI Base URL", then "+ Add Custom
      // Model" (openrouter.ai/docs/cookbook/coding-agents/cursor-integration). Cursor calls
      // from its own servers, so the URL must be reachable from the internet.
      note: 'Turn on "OpenAI API Key" (paste the key) and "Override OpenAI Base URL", then add the model. Cursor calls from its servers: the URL must be public.',
    },
    {
      id: 'opencode',
      agent: 'opencode',
      title: 'Provider',
      language: 'json',
      file: 'opencode.json (project) or ~/.config/opencode/opencode.json',
      text: json(opencodeConfig(target)),
      note: `Reads the token from ${TOKEN_ENV}; pick the model with /models.`,
    },
    {
      id: 'cline',
      agent: 'Cline',
      title: 'Settings → API Provider: OpenAI Compatible',
      language: 'text',
      // docs.cline.bot/provider-config/openai-compatible: Base URL, API Key, Model ID.
      text: fields,
    },
    {
      id: 'continue',
      agent: 'Continue',
      title: 'Model',
      language: 'yaml',
      file: '~/.continue/config.yaml',
      text: continueYaml(target),
    },
  ];
}

/**
 * Every snippet of the connect page, in the order it shows them, with the server's URL, its
 * provider routes and the token filled in. The CLI's `connect --print` prints the same text.
 */
export function connectSnippets(target: ConnectTarget): Snippet[] {
  return [
    ...claudeCode(target),
    ...codex(target),
    tokenEnv(target),
    ...sdks(target),
    ...curl(target),
    ...compatibleTools(target),
  ];
}
