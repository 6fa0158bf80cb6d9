import type { IncomingHttpHeaders } from 'node:http';

/** What the gateway knows of an interception when its span starts. */
export interface InterceptionSpanStart {
  interceptionId: string;
  provider: string;
  /** The provider's API (`messages`, `chat-completions`, `responses`): the GenAI operation. */
  api: string;
  model: string;
  route: string;
  client: string;
}

/** How the interception came out, for its span's closing attributes. */
export interface InterceptionSpanEnd {
  status: number | undefined;
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** One interception's span and its upstream child; only built when tracing is on. */
export interface InterceptionSpan {
  /** Starts the upstream call's child span; returns the W3C headers (`traceparent`, …) to send with it. */
  upstream(method: string, path: string): string[];
  /** The provider answered (its response head): closes the upstream span's wait. */
  upstreamAnswered(status: number): void;
  end(result: InterceptionSpanEnd): void;
}

/**
 * The gateway's only view of tracing: absent unless OTEL_EXPORTER_OTLP_ENDPOINT is set, so the
 * request path pays one property check when it is off (the SDK is not even loaded).
 */
export interface InterceptionTracer {
  /** Starts the span, as a child of the client's `traceparent` when it sent one. */
  begin(headers: IncomingHttpHeaders, start: InterceptionSpanStart): InterceptionSpan;
  shutdown(): Promise<void>;
}

/** Request headers a traced gateway replaces with its own upstream span's. */
export const TRACE_HEADERS: ReadonlySet<string> = new Set(['traceparent', 'tracestate']);
