import { isRecord, type JsonRecord, list } from '../../gateway/intercept/values.js';
import { type Conversation, isStream, readEvents, type ToolCall, type ToolResult } from './conversation.js';

/** How a Responses API client shapes its requests. */
export interface ResponsesOptions {
  model: string;
  stream: boolean;
  /** Items sent before the first prompt (Codex: developer instructions, environment context). */
  preamble?: JsonRecord[];
  tools?: unknown[];
  reasoning?: unknown;
  /** Other top-level fields (Codex: store, include, prompt_cache_key, client_metadata…). */
  extra?: Record<string, unknown>;
}

/**
 * A conversation over the Responses API, stateless as Codex runs it (`store: false`): every
 * request resends the whole input — earlier prompts, the model's reasoning, calls and
 * messages, and the tool outputs.
 */
export class ResponsesConversation implements Conversation {
  readonly path = '/openai/v1/responses';
  private readonly input: JsonRecord[];

  constructor(private readonly options: ResponsesOptions) {
    this.input = [...(options.preamble ?? [])];
  }

  prompt(text: string): void {
    this.input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
  }

  body(): Record<string, unknown> {
    const { model, stream, tools, reasoning, extra } = this.options;
    return {
      model,
      input: this.input,
      ...(tools ? { tools, tool_choice: 'auto', parallel_tool_calls: true } : {}),
      ...(reasoning !== undefined ? { reasoning } : {}),
      ...extra,
      ...(stream ? { stream: true } : {}),
    };
  }

  async absorb(response: Response): Promise<ToolCall[]> {
    const output = isStream(response)
      ? await streamedOutput(response)
      : list(((await response.json()) as JsonRecord).output).filter(isRecord);
    this.input.push(...output);
    return output.flatMap((item): ToolCall[] => {
      if (item.type === 'function_call') {
        return [
          { id: String(item.call_id), name: String(item.name), input: String(item.arguments), custom: false },
        ];
      }
      if (item.type === 'custom_tool_call') {
        return [
          { id: String(item.call_id), name: String(item.name), input: String(item.input), custom: true },
        ];
      }
      return [];
    });
  }

  toolResults(results: ToolResult[]): void {
    for (const { call, output } of results) {
      this.input.push({
        type: call.custom ? 'custom_tool_call_output' : 'function_call_output',
        call_id: call.id,
        output,
      });
    }
  }
}

/** The finished output items of a stream, in order (the final event repeats them all). */
async function streamedOutput(response: Response): Promise<JsonRecord[]> {
  const done: JsonRecord[] = [];
  for (const { data } of await readEvents(response)) {
    if (!isRecord(data)) continue;
    if (data.type === 'response.output_item.done' && isRecord(data.item)) done.push(data.item);
    if (data.type === 'response.completed' && done.length === 0 && isRecord(data.response)) {
      done.push(...list(data.response.output).filter(isRecord));
    }
  }
  return done;
}
