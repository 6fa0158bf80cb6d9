import type { ApiKind } from '../provider.js';
import { CHAT_TOOL_MARKERS, readChatResponse } from './chat-completions/blocking.js';
import { readChatPayload } from './chat-completions/payload.js';
import { ChatStreamReader } from './chat-completions/streaming.js';
import { MESSAGES_TOOL_MARKERS, readMessagesResponse } from './messages/blocking.js';
import { readMessagesPayload } from './messages/payload.js';
import { MessagesStreamReader } from './messages/streaming.js';
import type { BodyReader } from './observers.js';
import type { Payload } from './payload.js';
import { RESPONSES_TOOL_MARKERS, readResponsesResponse } from './responses/blocking.js';
import { readResponsesPayload } from './responses/payload.js';
import { ResponsesStreamReader } from './responses/streaming.js';
import type { RecordSink, StreamReader } from './sink.js';

/** Everything API-specific about bridging one upstream API; the interceptor is the same for all. */
export interface ApiHandler {
  readPayload(body: Buffer): Payload;
  streamReader(sink: RecordSink): StreamReader;
  readResponse: BodyReader;
  /** Byte strings whose absence proves a blocking response selected no tool. */
  toolMarkers: readonly string[];
  /**
   * Byte strings whose absence proves it holds no thought (nor a web search, whose calls are
   * counted for their fee) either: only id and usage to read.
   */
  thoughtMarkers: readonly string[];
}

/** The three bridged APIs. */
export const APIS: Record<ApiKind, ApiHandler> = {
  messages: {
    readPayload: readMessagesPayload,
    streamReader: (sink) => new MessagesStreamReader(sink),
    readResponse: readMessagesResponse,
    toolMarkers: MESSAGES_TOOL_MARKERS,
    thoughtMarkers: ['"thinking"'],
  },
  'chat-completions': {
    readPayload: readChatPayload,
    streamReader: (sink) => new ChatStreamReader(sink),
    readResponse: readChatResponse,
    toolMarkers: CHAT_TOOL_MARKERS,
    thoughtMarkers: [],
  },
  responses: {
    readPayload: readResponsesPayload,
    streamReader: (sink) => new ResponsesStreamReader(sink),
    readResponse: readResponsesResponse,
    toolMarkers: RESPONSES_TOOL_MARKERS,
    thoughtMarkers: ['"summary_text"', '"commentary"', '"web_search_call"'],
  },
};
