import type { ToolCall } from './conversation.js';

/**
 * The tools each simulated client offers (trimmed versions of the real definitions) and the
 * outputs the simulated client "runs" them to, so tool loops carry believable results.
 */

const object = (properties: Record<string, string>, required = Object.keys(properties)) => ({
  type: 'object',
  properties: Object.fromEntries(
    Object.entries(properties).map(([k, d]) => [k, { type: 'string', description: d }]),
  ),
  required,
});

/** Claude Code's core tools, in Anthropic's tool format. */
export const CLAUDE_CODE_TOOLS = [
  ['Read', 'Reads a file from the local filesystem.', { file_path: 'The absolute path to the file to read' }],
  [
    'Edit',
    'Performs exact string replacements in files.',
    { file_path: 'File to modify', old_string: 'Text to replace', new_string: 'Replacement text' },
  ],
  ['Write', 'Writes a file to the local filesystem.', { file_path: 'File to write', content: 'The content' }],
  [
    'Bash',
    'Executes a bash command in a persistent shell session.',
    { command: 'The command to execute', description: 'What it does, in 5-10 words' },
  ],
  [
    'Grep',
    'A powerful search tool built on ripgrep.',
    { pattern: 'The regular expression', path: 'File or directory to search in' },
  ],
  ['Glob', 'Fast file pattern matching.', { pattern: 'The glob pattern' }],
  ['TodoWrite', 'Creates and manages a structured task list.', { todos: 'The updated todo list' }],
].map(([name, description, properties]) => ({
  name,
  description,
  input_schema: object(properties as Record<string, string>),
}));

/** Codex's tools: a shell, apply_patch as a free-form custom tool, the plan tool, web search. */
export const CODEX_TOOLS = [
  {
    type: 'function',
    name: 'exec_command',
    description: 'Runs a command in a PTY, returning output or a session ID for ongoing interaction.',
    strict: false,
    parameters: object({ cmd: 'Shell command to execute.', workdir: 'Working directory' }, ['cmd']),
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description:
      'Use the `apply_patch` tool to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.',
    format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
  },
  {
    type: 'function',
    name: 'update_plan',
    description: 'Updates the task plan.',
    strict: false,
    parameters: object({ explanation: 'Why', plan: 'The steps' }, ['plan']),
  },
  { type: 'web_search', external_web_access: false },
];

/** Cursor's agent tools, in Chat Completions format. */
export const CURSOR_TOOLS = [
  ['read_file', 'Read the contents of a file.', { path: 'The path of the file to read' }],
  ['list_dir', 'List the contents of a directory.', { path: 'Directory path' }],
  [
    'run_terminal_cmd',
    'Propose a command to run on behalf of the user.',
    { command: 'The terminal command' },
  ],
  ['edit_file', 'Propose an edit to an existing file.', { target_file: 'The file', code_edit: 'The edit' }],
].map(([name, description, properties]) => ({
  type: 'function',
  function: { name, description, parameters: object(properties as Record<string, string>) },
}));

/** The one function SDK example scripts like to define. */
export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a city.',
    parameters: object({ city: 'City name', unit: 'celsius or fahrenheit' }, ['city']),
  },
};

/** What running the call printed: short, plausible, derived from the call. */
export function toolOutput(call: ToolCall): string {
  const input = parse(call.input);
  const path = String(input.file_path ?? input.path ?? input.target_file ?? 'src/index.ts');
  switch (call.name) {
    case 'Read':
    case 'read_file':
      return `     1\timport { start } from './server.js';\n     2\t\n     3\t// ${path}\n     4\tawait start();\n`;
    case 'Edit':
    case 'Write':
    case 'edit_file':
      return `The file ${path} has been updated.`;
    case 'Grep':
      return `Found 3 files\nsrc/parser.ts\nsrc/lexer.ts\ntest/parser.test.ts`;
    case 'Glob':
    case 'list_dir':
      return 'src/app.ts\nsrc/config.ts\nsrc/parser.ts\nsrc/server.ts';
    case 'apply_patch':
      return 'Success. Updated the following files:\nM src/cli/export.ts';
    case 'update_plan':
    case 'TodoWrite':
      return 'Plan updated';
    case 'get_weather':
      return JSON.stringify({ city: input.city ?? 'Lisbon', temperature: 21, unit: input.unit ?? 'celsius' });
    default:
      return `Process exited with code 0\nOutput:\n${String(input.command ?? input.cmd ?? 'ok')}: ok\n`;
  }
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
