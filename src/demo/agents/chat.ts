import { isRecord, type JsonRecord, list, record } from '../../gateway/intercept/values.js';
import { type Conversation, isStream, readEvents, type ToolCall, type ToolResult } from './conversation.js';

/** How a Chat Completions client shapes its requests. */
export interface ChatOptions {
  model: string;
  stream: boolean;
  system?: string;
  tools?: unknown[];
}

/** A conversation over Chat Completions: system message, user turns, assistant turns with tool calls, tool messages. */
export class ChatConversation implements Conversation {
  readonly path = '/openai/v1/chat/completions';
  private readonly messages: JsonRecord[] = [];

  constructor(private readonly options: ChatOptions) {
    if (options.system) this.messages.push({ role: 'system', content: options.system });
  }

  prompt(text: string): void {
    this.messages.push({ role: 'user', content: text });
  }

  body(): Record<string, unknown> {
    const { model, stream, tools } = this.options;
    return {
      model,
      messages: this.messages,
      ...(tools ? { tools } : {}),
      ...(stream ? { stream: true } : {}),
    };
  }

  async absorb(response: Response): Promise<ToolCall[]> {
    const message = isStream(response)
      ? await streamedMessage(response)
      : record(list(((await response.json()) as JsonRecord).choices)[0], 'message');
    const calls = list(message.tool_calls).filter(isRecord);
    this.messages.push({
      role: 'assistant',
      content: message.content ?? null,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    });
    return calls.map((call) => {
      const fn = record(call, 'function');
      return {
        id: String(call.id),
        name: String(fn.name),
        input: String(fn.arguments ?? '{}'),
        custom: false,
      };
    });
  }

  toolResults(results: ToolResult[]): void {
    for (const { call, output } of results) {
      this.messages.push({ role: 'tool', tool_call_id: call.id, content: output });
    }
  }
}

/** Rebuilds the assistant message from chunks: content pieces, and tool calls by index. */
async function streamedMessage(response: Response): Promise<JsonRecord> {
  let content = '';
  const calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  for (const { data } of await readEvents(response)) {
    const delta = isRecord(data) ? record(list(data.choices)[0], 'delta') : {};
    if (typeof delta.content === 'string') content += delta.content;
    for (const piece of list(delta.tool_calls).filter(isRecord)) {
      const index = typeof piece.index === 'number' ? piece.index : 0;
      const fn = record(piece, 'function');
      calls[index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
      const call = calls[index];
      if (typeof piece.id === 'string') call.id = piece.id;
      if (typeof fn.name === 'string') call.function.name = fn.name;
      if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments;
    }
  }
  return { content: content || null, tool_calls: calls.filter(Boolean) };
}
