import type { RecordSink, StreamReader } from '../sink.js';
import { argumentsText, isRecord, type JsonRecord, record, text } from '../values.js';
import { mergeUsage, messageTokens } from './usage.js';

/** A content block worth following: its text (thinking) or its argument pieces (tool_use). */
type OpenBlock =
  | { type: 'thinking'; parts: string[] }
  | { type: 'tool_use'; id?: string; name: string; parts: string[] };

/**
 * Reads an Anthropic message stream as it is relayed. Only the few events recording needs are
 * parsed — message_start/delta/stop, block starts and stops, and deltas of thinking and
 * tool_use blocks; text deltas and pings are skipped without touching their JSON. One token
 * row per upstream message, from the latest (cumulative) usage, written at message_stop or,
 * if the stream breaks first, with whatever usage was seen.
 */
export class MessagesStreamReader implements StreamReader {
  sawFinalEvent = false;
  private messageId: string | undefined;
  private usage: JsonRecord | undefined;
  private readonly blocks = new Map<number, OpenBlock>();

  constructor(private readonly sink: RecordSink) {}

  wantsData(name: string | undefined): boolean {
    if (name === 'content_block_delta') return this.blocks.size > 0;
    return name !== 'ping';
  }

  event(name: string | undefined, data: Buffer | undefined): void {
    if (!data) return;
    let event: unknown;
    try {
      event = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if (!isRecord(event)) return;
    switch (name ?? event.type) {
      case 'message_start':
        this.openMessage(record(event, 'message'));
        break;
      case 'message_delta':
        if (isRecord(event.usage)) this.usage = mergeUsage(this.usage ?? {}, event.usage);
        break;
      case 'message_stop':
        this.reportMessage();
        this.sawFinalEvent = true;
        break;
      case 'content_block_start':
        this.openBlock(event);
        break;
      case 'content_block_delta':
        this.extendBlock(event);
        break;
      case 'content_block_stop':
        this.reportBlock(event.index);
        break;
      case 'error':
        this.sink.failed();
        break;
    }
  }

  flush(): void {
    for (const index of [...this.blocks.keys()]) this.reportBlock(index);
    this.reportMessage();
  }

  private openMessage(message: JsonRecord): void {
    this.reportMessage();
    this.messageId = text(message.id) ?? '';
    this.usage = isRecord(message.usage) ? message.usage : undefined;
    this.sink.responseId(this.messageId);
  }

  /** Reports the open message's token row (once) and forgets it. */
  private reportMessage(): void {
    if (this.messageId === undefined) return;
    if (this.usage) this.sink.tokens(messageTokens(this.messageId, this.usage));
    this.messageId = undefined;
    this.usage = undefined;
  }

  private openBlock(event: JsonRecord): void {
    const block = record(event, 'content_block');
    if (typeof event.index !== 'number') return;
    if (block.type === 'thinking') {
      this.blocks.set(event.index, { type: 'thinking', parts: [text(block.thinking) ?? ''] });
    } else if (block.type === 'tool_use') {
      const input =
        isRecord(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : '';
      this.blocks.set(event.index, {
        type: 'tool_use',
        id: text(block.id),
        name: text(block.name) ?? '',
        parts: [input],
      });
    }
  }

  private extendBlock(event: JsonRecord): void {
    const block = typeof event.index === 'number' ? this.blocks.get(event.index) : undefined;
    const delta = record(event, 'delta');
    if (block?.type === 'thinking' && delta.type === 'thinking_delta')
      block.parts.push(text(delta.thinking) ?? '');
    if (block?.type === 'tool_use' && delta.type === 'input_json_delta')
      block.parts.push(text(delta.partial_json) ?? '');
  }

  /** Reports a followed block (thought or tool call) and forgets it. */
  private reportBlock(index: unknown): void {
    const block = typeof index === 'number' ? this.blocks.get(index) : undefined;
    if (!block) return;
    this.blocks.delete(index as number);
    const joined = block.parts.join('');
    if (block.type === 'thinking') this.sink.thought(joined, 'thinking');
    else {
      this.sink.tool({
        providerResponseId: this.messageId ?? '',
        callId: block.id,
        name: block.name,
        input: argumentsText(joined),
      });
    }
  }
}
