import { RawJson } from '../../json/raw-json.js';
import type { RecordSink, StreamReader } from '../sink.js';
import { isRecord, type JsonRecord } from '../values.js';
import { reportOutputItem, reportResponse } from './usage.js';

const WANTED: ReadonlySet<string> = new Set([
  'response.created',
  'response.output_item.done',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'error',
]);
const FINAL: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const RECORDED_ITEMS = [
  '"function_call"',
  '"custom_tool_call"',
  '"reasoning"',
  '"commentary"',
  '"web_search_call"',
].map((s) => Buffer.from(s));

/**
 * Reads a Responses stream as it is relayed, by event name: deltas are never parsed; a
 * finished output item is parsed only if it can be a tool call, a reasoning summary,
 * commentary or a web search (counted for its fee); the final `response.completed` (which repeats the whole output) is walked in
 * place for its id, status and usage only.
 */
export class ResponsesStreamReader implements StreamReader {
  sawFinalEvent = false;
  private id: string | undefined;
  private sawItems = false;
  private webSearches = 0;

  constructor(private readonly sink: RecordSink) {}

  wantsData(name: string | undefined): boolean {
    return name === undefined || WANTED.has(name);
  }

  event(name: string | undefined, data: Buffer | undefined): void {
    if (!data) return;
    try {
      const type = name ?? eventType(data);
      if (type === 'response.created') this.created(data);
      else if (type === 'response.output_item.done') this.outputItem(data);
      else if (type && FINAL.has(type)) this.final(data);
      else if (type === 'error') this.sink.failed();
    } catch {
      // A malformed event is relayed as it is; there is just nothing to record from it.
    }
  }

  flush(): void {}

  private created(data: Buffer): void {
    const json = new RawJson(data);
    const id = json.string(json.field(json.field(json.root(), 'response'), 'id'));
    if (id && this.id === undefined) {
      this.id = id;
      this.sink.responseId(id);
    }
  }

  private outputItem(data: Buffer): void {
    if (!RECORDED_ITEMS.some((marker) => data.includes(marker))) {
      this.sawItems = true;
      return;
    }
    const event = JSON.parse(data.toString('utf8')) as unknown;
    if (!isRecord(event)) return;
    this.sawItems = true;
    if (isRecord(event.item) && event.item.type === 'web_search_call') this.webSearches++;
    reportOutputItem(this.id ?? '', event.item, this.sink);
  }

  private final(data: Buffer): void {
    this.sawFinalEvent = true;
    const json = new RawJson(data);
    const response = json.field(json.root(), 'response');
    if (!response) return;
    const fields = json.fields(response);
    const summary: JsonRecord = {
      id: json.string(fields.get('id')),
      status: json.string(fields.get('status')),
      usage: json.value(fields.get('usage')),
      error: json.value(fields.get('error')),
    };
    // Providers that skip per-item events still get their tool calls recorded from here.
    if (!this.sawItems) summary.output = json.value(fields.get('output'));
    if (this.id === undefined && typeof summary.id === 'string') this.id = summary.id;
    reportResponse(summary, this.sink, !this.sawItems, this.webSearches);
  }
}

/** The `type` member of an event that came without an `event:` line. */
function eventType(data: Buffer): string | undefined {
  const json = new RawJson(data);
  return json.string(json.field(json.root(), 'type'));
}
