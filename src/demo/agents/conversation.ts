import { SseParser } from '../../gateway/sse/parser.js';

/** A tool call as the client saw it in the model's answer. */
export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, or the raw input of a custom tool. */
  input: string;
  /** A custom (free-text) tool, answered with `custom_tool_call_output`. */
  custom: boolean;
}

/** What the client sends back after running a tool. */
export interface ToolResult {
  call: ToolCall;
  output: string;
}

/**
 * One agent conversation in one provider API, kept the way the real clients keep it: the
 * whole history is resent on every request, the model's answers (thinking, calls, text) are
 * appended as they came, tool results follow them.
 */
export interface Conversation {
  /** Route under `/api/v2/aibridge`. */
  readonly path: string;
  /** Starts a human turn. */
  prompt(text: string): void;
  /** The request body for the conversation as it stands. */
  body(): Record<string, unknown>;
  /** Reads the model's answer (streamed or not), appends it, and returns its tool calls. */
  absorb(response: Response): Promise<ToolCall[]>;
  /** Appends the results of the calls the last answer made. */
  toolResults(results: ToolResult[]): void;
}

/** One parsed server-sent event. */
export interface ParsedEvent {
  name: string | undefined;
  data: unknown;
}

/** Reads an SSE response to its end, parsing each event's JSON (`[DONE]` and the like stay strings). */
export async function readEvents(response: Response): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  const parser = new SseParser((name, data) => {
    if (!data) return;
    const text = data.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the sentinel of a Chat Completions stream.
    }
    events.push({ name, data: parsed });
  });
  if (response.body) {
    for await (const chunk of response.body) parser.feed(Buffer.from(chunk));
  }
  parser.flush();
  return events;
}

/** Whether the answer is a stream (by its content type). */
export function isStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
}
