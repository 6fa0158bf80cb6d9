// Realistic agent request bodies of a given size, built from the Claude Code capture in
// test/fixtures/clients/ (its headers, model, system blocks, tool names, metadata and flags)
// with the parts the capture trims spelled out: the 24 tool definitions, the system prompt at
// its captured length, and a history of tool loops (Read/Bash/Edit calls and their results,
// source text with quotes, newlines and non-ASCII) until the body reaches the size asked for.
// The last message is a tool result, as in a loop's follow-up request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const CAPTURE = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/clients/claude-code-print-toolresult.json'), 'utf8'),
);

/** Deterministic pseudo-random numbers, so every run sends the same bytes. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS =
  'const function return await import export class interface string number value request response body stream token usage cache tool result message session thread model provider gateway recorder batch “quoted” naïve café'.split(
    ' ',
  );

function prose(rand, chars) {
  const out = [];
  let length = 0;
  while (length < chars) {
    const line = Array.from(
      { length: 6 + Math.floor(rand() * 10) },
      () => WORDS[Math.floor(rand() * WORDS.length)],
    ).join(' ');
    const text = rand() < 0.2 ? `  if (x === "${line.slice(0, 12)}") {\n    return '${line}';\n  }` : line;
    out.push(text);
    length += text.length + 1;
  }
  return out.join('\n').slice(0, chars);
}

function toolDefinition(rand, name) {
  return {
    name,
    description: prose(rand, 300 + Math.floor(rand() * 900)),
    input_schema: {
      type: 'object',
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', description: prose(rand, 160) },
        limit: { type: 'number', description: prose(rand, 120) },
        mode: { type: 'string', enum: ['read', 'write', 'append'], description: prose(rand, 80) },
      },
    },
  };
}

function toolLoop(rand, turn) {
  const id = `toolu_bench_${turn.toString(16).padStart(8, '0')}`;
  const name = ['Read', 'Bash', 'Edit', 'Grep'][turn % 4];
  return [
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: prose(rand, 300), signature: 'EqQBCkYIBRgCKkD'.repeat(8) },
        { type: 'text', text: prose(rand, 200) },
        { type: 'tool_use', id, name, input: { path: `src/file-${turn}.ts`, limit: 400 } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: id, content: prose(rand, 2000 + Math.floor(rand() * 14000)) },
      ],
    },
  ];
}

/** A Claude Code `/v1/messages` body of about `bytes` bytes (JSON), streaming or not. */
export function agentBody(bytes, { stream = true, seed = 1 } = {}) {
  const rand = random(seed);
  const base = CAPTURE.body;
  const system = base.system.map((block, i) => (i === 2 ? { ...block, text: prose(rand, 5800) } : block));
  const tools = base.tools.names.map((name) => toolDefinition(rand, name));
  const [opening, reminder] = base.messages;
  const messages = [opening, { ...reminder, content: prose(rand, 6100) }];
  const body = { ...base, system, tools, messages, stream };
  let size = JSON.stringify(body).length;
  for (let turn = 0; size < bytes; turn++) {
    const loop = toolLoop(rand, turn);
    messages.push(...loop);
    size += JSON.stringify(loop).length + 2;
  }
  return Buffer.from(JSON.stringify(body));
}

/** The capture's request headers a Claude Code client sends (its key replaced by the caller's). */
export function agentHeaders(token) {
  const headers = {};
  for (const [name, value] of CAPTURE.rawHeaders) {
    const lower = name.toLowerCase();
    if (['host', 'content-length', 'connection', 'x-api-key', 'authorization'].includes(lower)) continue;
    headers[lower] = value;
  }
  headers['x-api-key'] = token;
  headers['content-type'] = 'application/json';
  return headers;
}
