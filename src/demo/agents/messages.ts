import { isRecord, type JsonRecord, list, record } from '../../gateway/intercept/values.js';
import { type Conversation, isStream, readEvents, type ToolCall, type ToolResult } from './conversation.js';

/** How an Anthropic client shapes its requests. */
export interface MessagesOptions {
  model: string;
  stream: boolean;
  maxTokens?: number;
  system?: unknown;
  tools?: unknown[];
  thinking?: unknown;
  metadata?: unknown;
  /** Text blocks sent before the prompt in the same message (Claude Code's reminders). */
  reminders?: string[];
  /** Claude Code's `?beta=true`. */
  beta?: boolean;
}

/** A conversation over Anthropic's Messages API. */
export class MessagesConversation implements Conversation {
  readonly path: string;
  private readonly messages: JsonRecord[] = [];

  constructor(private readonly options: MessagesOptions) {
    this.path = `/anthropic/v1/messages${options.beta ? '?beta=true' : ''}`;
  }

  prompt(text: string): void {
    const reminders = this.options.reminders ?? [];
    this.messages.push({
      role: 'user',
      content:
        reminders.length === 0
          ? text
          : [...reminders.map((r) => ({ type: 'text', text: r })), { type: 'text', text }],
    });
  }

  body(): Record<string, unknown> {
    const { model, stream, maxTokens = 8192, system, tools, thinking, metadata } = this.options;
    return {
      model,
      max_tokens: maxTokens,
      messages: this.messages,
      ...(system !== undefined ? { system } : {}),
      ...(tools ? { tools } : {}),
      ...(thinking !== undefined ? { thinking } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      ...(stream ? { stream: true } : {}),
    };
  }

  async absorb(response: Response): Promise<ToolCall[]> {
    const content = isStream(response)
      ? await streamedContent(response)
      : list(((await response.json()) as JsonRecord).content);
    this.messages.push({ role: 'assistant', content });
    return content.filter(isRecord).flatMap((block) =>
      block.type === 'tool_use'
        ? [
            {
              id: String(block.id),
              name: String(block.name),
              input: JSON.stringify(block.input ?? {}),
              custom: false,
            },
          ]
        : [],
    );
  }

  toolResults(results: ToolResult[]): void {
    this.messages.push({
      role: 'user',
      content: results.map(({ call, output }) => ({
        type: 'tool_result',
        tool_use_id: call.id,
        content: output,
      })),
    });
  }
}

/** Rebuilds the content blocks of a streamed message from its block starts and deltas. */
async function streamedContent(response: Response): Promise<JsonRecord[]> {
  const blocks: JsonRecord[] = [];
  const partialJson = new Map<number, string>();
  for (const { data } of await readEvents(response)) {
    if (!isRecord(data) || typeof data.index !== 'number') continue;
    const index = data.index;
    if (data.type === 'content_block_start') blocks[index] = { ...record(data, 'content_block') };
    const block = blocks[index];
    if (!block) continue;
    if (data.type === 'content_block_delta') {
      const delta = record(data, 'delta');
      if (delta.type === 'text_delta') block.text = `${block.text ?? ''}${delta.text}`;
      if (delta.type === 'thinking_delta') block.thinking = `${block.thinking ?? ''}${delta.thinking}`;
      if (delta.type === 'signature_delta') block.signature = delta.signature;
      if (delta.type === 'input_json_delta') {
        partialJson.set(index, `${partialJson.get(index) ?? ''}${delta.partial_json}`);
      }
    }
    if (data.type === 'content_block_stop' && block.type === 'tool_use') {
      const text = partialJson.get(index) ?? '';
      block.input = text ? JSON.parse(text) : {};
    }
  }
  return blocks.filter(Boolean);
}
