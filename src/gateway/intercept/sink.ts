import type { TokenCounts } from '../../recorder/types.js';

export type { TokenCounts } from '../../recorder/types.js';

/** A client-defined tool the model asked for. */
export interface ToolCall {
  providerResponseId: string;
  /** The provider's id for the call; the follow-up request's tool result carries it. */
  callId: string | undefined;
  name: string;
  /** JSON text of the arguments. */
  input: string;
}

/** Where a thought came from, kept in its metadata as `source`. */
export type ThoughtSource = 'thinking' | 'reasoning_summary' | 'commentary';

/**
 * What the per-API readers report while they watch a response. Readers are pure translators
 * (events in, these calls out), so they are unit-tested with a collecting sink; the gateway's
 * sink turns the calls into queued records and metrics.
 */
export interface RecordSink {
  /** An upstream response id; the first one is the one the user prompt is recorded with. */
  responseId(id: string): void;
  tokens(counts: TokenCounts): void;
  tool(call: ToolCall): void;
  thought(text: string, source: ThoughtSource): void;
  /** The provider reported an error inside an otherwise successful response. */
  failed(): void;
}

/** The readers of one streamed response: which events to look at, and what they mean. */
export interface StreamReader {
  /** Whether the data of an event with this name is needed (false → it is skipped unparsed). */
  wantsData(name: string | undefined): boolean;
  event(name: string | undefined, data: Buffer | undefined): void;
  /** True once the response's final event was seen (message_stop, [DONE], response.completed…). */
  readonly sawFinalEvent: boolean;
  /** The stream is over (or broken): report whatever is still pending, e.g. usage seen so far. */
  flush(): void;
}
