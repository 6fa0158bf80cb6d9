import { createHash, randomBytes } from 'node:crypto';

/**
 * The demo's stand-in for an LLM: a scripted model that answers like a coding model would —
 * thinking, tool calls in a loop, then a final answer — so traffic through the real gateway
 * looks like what Claude Code or Codex produce, without any provider.
 */

/** A tool call the model makes: JSON arguments, or raw text for custom tools (Codex's apply_patch). */
interface PlannedCall {
  name: string;
  input: Record<string, unknown> | string;
}

/** One step of a task: what the model thinks and says, and the tools it calls before the next step. */
interface TaskStep {
  thinking?: string;
  /** A short preamble before the calls ("I'll look at the parser first."). */
  say?: string;
  calls: PlannedCall[];
}

/** A prompt the model knows how to work through, step by step, ending with an answer. */
export interface Task {
  prompt: string;
  steps: TaskStep[];
  answer: string;
  /** Thinking shown with the final answer. */
  finalThinking?: string;
}

/** Where a conversation stands when a request arrives, as read from its body. */
export interface TurnContext {
  /** The human prompt the current loop started from. */
  prompt: string | undefined;
  /** Model turns already taken since that prompt (0 on the prompt's own request). */
  step: number;
  /** Names of the tools the client offered. */
  tools: string[];
  /** Whether the client asked for thinking / reasoning summaries. */
  thinking: boolean;
}

/** What the model answers to one request. */
export interface ModelTurn {
  thinking: string | undefined;
  text: string | undefined;
  calls: PlannedCall[];
}

/** A catalogue of tasks looked up by their exact prompt. */
export type TaskBook = ReadonlyMap<string, Task>;

/** Indexes tasks by prompt. */
export function taskBook(tasks: Iterable<Task>): TaskBook {
  return new Map([...tasks].map((task) => [task.prompt, task]));
}

/**
 * The model's answer for this point of the conversation: the task's next step, its answer
 * once the steps are done, or — for a prompt it does not know — a short plan derived from the
 * prompt's hash over the tools on offer, so any client gets a plausible loop.
 */
export function planTurn(book: TaskBook, context: TurnContext): ModelTurn {
  const task = (context.prompt !== undefined ? book.get(context.prompt) : undefined) ?? improvise(context);
  const step = task.steps[context.step];
  if (!step) {
    return {
      thinking: context.thinking ? task.finalThinking : undefined,
      text: task.answer,
      calls: [],
    };
  }
  const offered = new Set(context.tools);
  const calls = step.calls.filter((call) => offered.has(call.name));
  // A client that does not offer the task's tools gets the answer straight away.
  if (calls.length === 0) return { thinking: undefined, text: task.answer, calls: [] };
  return { thinking: context.thinking ? step.thinking : undefined, text: step.say, calls };
}

function improvise(context: TurnContext): Task {
  const prompt = context.prompt ?? '';
  const hash = createHash('sha256').update(prompt).digest();
  const known = context.tools.filter((name) => GENERIC_INPUTS[name] !== undefined);
  const usable = known.length > 0 ? known : context.tools;
  const steps: TaskStep[] = [];
  const count = usable.length === 0 ? 0 : (hash[0] ?? 0) % 3;
  for (let i = 0; i < count; i++) {
    const name = usable[(hash[i + 1] ?? 0) % usable.length] as string;
    steps.push({
      thinking: `The request is "${clip(prompt, 60)}". Checking with ${name} before answering.`,
      calls: [{ name, input: genericInput(name, hash[i + 2] ?? 0) }],
    });
  }
  return {
    prompt,
    steps,
    answer: `Done: ${clip(prompt, 80)}`,
    finalThinking: 'That covers it; summarising for the user.',
  };
}

const FILES = [
  'src/app.ts',
  'src/config.ts',
  'README.md',
  'package.json',
  'src/server.ts',
  'test/app.test.ts',
];

const GENERIC_INPUTS: Record<string, (pick: string) => Record<string, unknown> | string> = {
  Read: (file) => ({ file_path: `/workspace/${file}` }),
  Grep: (file) => ({ pattern: 'TODO', path: file.split('/')[0] ?? '.' }),
  Glob: () => ({ pattern: 'src/**/*.ts' }),
  Bash: (file) => ({ command: `wc -l ${file}`, description: `Count lines in ${file}` }),
  exec_command: (file) => ({ cmd: `sed -n 1,80p ${file}`, workdir: '/workspace' }),
  read_file: (file) => ({ path: file }),
  list_dir: () => ({ path: 'src' }),
  get_weather: () => ({ city: 'Lisbon', unit: 'celsius' }),
};

/** Arguments that fit a tool by name (unknown tools get an empty object). */
function genericInput(name: string, seed: number): Record<string, unknown> | string {
  const file = FILES[seed % FILES.length] as string;
  return GENERIC_INPUTS[name]?.(file) ?? {};
}

/** Identifiers shaped like the providers' own (`toolu_…`, `call_…`, `msg_…`). */
export function providerId(prefix: string, length = 24): string {
  return `${prefix}${randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length)}`;
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Token counts of one response: `input` excludes cached tokens (each writer adds them back where its provider counts them in). */
export interface TurnUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/**
 * Plausible token counts from the request's size and the answer's length: roughly four bytes
 * per token; prompt caching when the client asks for it (Anthropic `cache_control`) or the
 * provider does it on its own (OpenAI, from the second request of a conversation on).
 */
export function estimateUsage(
  requestBytes: number,
  turn: ModelTurn,
  caching: { kind: 'anthropic' | 'openai' | 'none'; fresh: boolean },
): TurnUsage {
  const prompt = Math.max(12, Math.ceil(requestBytes / 4));
  const written = [turn.text ?? '', ...turn.calls.map((c) => JSON.stringify(c.input))].join('');
  const reasoning = turn.thinking ? Math.ceil(turn.thinking.length / 4) + 24 : 0;
  const output = Math.ceil(written.length / 4) + 6 + reasoning;
  if (caching.kind === 'anthropic') {
    if (caching.fresh) {
      const cacheWrite = Math.floor(prompt * 0.9);
      return { input: prompt - cacheWrite, output, cacheRead: 0, cacheWrite, reasoning };
    }
    const cacheRead = Math.floor(prompt * 0.85);
    const cacheWrite = Math.floor(prompt * 0.1);
    return { input: prompt - cacheRead - cacheWrite, output, cacheRead, cacheWrite, reasoning };
  }
  // OpenAI caches prompts of 1,024 tokens and more, in steps of 128, without being asked.
  const cacheRead =
    caching.kind === 'openai' && !caching.fresh && prompt >= 1024
      ? Math.floor((prompt * 0.8) / 128) * 128
      : 0;
  return { input: prompt - cacheRead, output, cacheRead, cacheWrite: 0, reasoning };
}
