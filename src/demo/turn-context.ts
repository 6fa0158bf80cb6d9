import { isRecord, type JsonRecord, list, text } from '../gateway/intercept/values.js';
import type { TurnContext } from './model.js';

/** Where a request's conversation stands, plus what the fake provider needs to price it. */
export interface RequestTurn extends TurnContext {
  /** No earlier model turn in the conversation: nothing could be cached yet. */
  fresh: boolean;
  /** The client marked prompt parts for caching (Anthropic `cache_control`). */
  cacheControl: boolean;
}

/**
 * Reads an Anthropic `/v1/messages` body: the prompt is the last text of the last user
 * message that is not a tool result; each assistant message after it is a step taken.
 */
export function anthropicTurn(body: JsonRecord, raw: string): RequestTurn {
  const messages = list(body.messages).filter(isRecord);
  const promptAt = findLastIndex(messages, (m) => m.role === 'user' && userText(m.content) !== undefined);
  const after = promptAt === -1 ? [] : messages.slice(promptAt + 1);
  const thinking = isRecord(body.thinking) && body.thinking.type !== 'disabled';
  return {
    prompt: promptAt === -1 ? undefined : userText(messages[promptAt]?.content),
    step: after.filter((m) => m.role === 'assistant').length,
    tools: list(body.tools).flatMap((t) => (isRecord(t) && text(t.name) ? [t.name as string] : [])),
    thinking,
    fresh: !messages.some((m) => m.role === 'assistant'),
    cacheControl: raw.includes('"cache_control"'),
  };
}

/**
 * Reads a `/responses` body: the prompt is the last user message; each run of output items
 * (reasoning, calls, assistant messages) after it is a step taken.
 */
export function responsesTurn(body: JsonRecord): RequestTurn {
  const items = typeof body.input === 'string' ? [] : list(body.input).filter(isRecord);
  const promptAt = findLastIndex(items, (item) => isUserMessage(item));
  let steps = 0;
  let inOutput = false;
  for (const item of promptAt === -1 ? [] : items.slice(promptAt + 1)) {
    const output = isModelOutput(item);
    if (output && !inOutput) steps++;
    inOutput = output;
  }
  return {
    prompt:
      typeof body.input === 'string' ? body.input : promptAt === -1 ? undefined : inputText(items[promptAt]),
    step: steps,
    tools: list(body.tools).flatMap((t) => (isRecord(t) && text(t.name) ? [t.name as string] : [])),
    thinking: isRecord(body.reasoning) && text(body.reasoning.summary) !== undefined,
    fresh: !items.some(isModelOutput),
    cacheControl: false,
  };
}

/** Reads a `/chat/completions` body: the last user message is the prompt; assistant messages after it are steps. */
export function chatTurn(body: JsonRecord): RequestTurn {
  const messages = list(body.messages).filter(isRecord);
  const promptAt = findLastIndex(messages, (m) => m.role === 'user');
  const after = promptAt === -1 ? [] : messages.slice(promptAt + 1);
  return {
    prompt: promptAt === -1 ? undefined : userText(messages[promptAt]?.content),
    step: after.filter((m) => m.role === 'assistant').length,
    tools: list(body.tools).flatMap((t) => {
      const fn = isRecord(t) && isRecord(t.function) ? t.function : undefined;
      return fn && text(fn.name) ? [fn.name as string] : [];
    }),
    thinking: false,
    fresh: !messages.some((m) => m.role === 'assistant'),
    cacheControl: false,
  };
}

/** A message's text: a string content, or its last text part (Claude Code puts reminders first). */
function userText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  const texts = list(content).flatMap((part) =>
    isRecord(part) && (part.type === 'text' || part.type === 'input_text') && typeof part.text === 'string'
      ? [part.text]
      : [],
  );
  return texts.at(-1);
}

function isUserMessage(item: JsonRecord): boolean {
  return (item.type === 'message' || item.type === undefined) && item.role === 'user';
}

function inputText(item: JsonRecord | undefined): string | undefined {
  return item ? userText(item.content) : undefined;
}

function isModelOutput(item: JsonRecord): boolean {
  return (
    item.type === 'reasoning' ||
    item.type === 'function_call' ||
    item.type === 'custom_tool_call' ||
    (item.type === 'message' && item.role === 'assistant')
  );
}

function findLastIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}
