/**
 * Small real-format answers for each bridged API, blocking and streaming, for suites that care
 * about the transport (compression, WebSocket, usage filtering) rather than the content.
 */

/** A chat-completions stream with the usage-only chunk `include_usage` asks for. */
export const CHAT_STREAM_WITH_USAGE = [
  'data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"hel"},"finish_reason":null}],"usage":null}\n\n',
  'data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],"usage":null}\n\n',
  'data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":2,"total_tokens":13}}\n\n',
  'data: [DONE]\n\n',
].join('');

/**
 * A chat stream as a client that did not ask for usage gets it through aibridge, which asked
 * for it: without the usage-only chunk nor the `"usage":null` members. Written apart from the
 * gateway's filter (on whole events of the fixtures' known shape) to check it.
 */
export function withoutAddedUsage(sse: string): string {
  return sse
    .split(/(?<=\n\n)/)
    .filter((event) => !/^data: \{.*"choices":\[\],.*"usage":\{/m.test(event))
    .map((event) => event.replaceAll(',"usage":null', ''))
    .join('');
}

/** A Responses stream: created, one text delta, completed with usage. */
export const RESPONSES_STREAM = [
  'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_ws1","object":"response","status":"in_progress","model":"gpt-4o-mini","output":[]}}\n\n',
  'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"hello"}\n\n',
  'event: response.completed\ndata: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_ws1","object":"response","status":"completed","model":"gpt-4o-mini","output":[{"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"hello","annotations":[]}]}],"usage":{"input_tokens":11,"output_tokens":2,"total_tokens":13,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}}\n\n',
].join('');

/** A Messages stream with usage at start and end. */
export const MESSAGES_STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_9","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":11,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join('');

/** Blocking answers with the same usage. */
export const BLOCKING = {
  messages: JSON.stringify({
    id: 'msg_9',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'hello' }],
    usage: { input_tokens: 11, output_tokens: 2 },
  }),
  chat: JSON.stringify({
    id: 'chatcmpl-9',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 },
  }),
  responses: JSON.stringify({
    id: 'resp_b1',
    object: 'response',
    status: 'completed',
    model: 'gpt-4o-mini',
    output: [
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'hello', annotations: [] }],
      },
    ],
    usage: { input_tokens: 11, output_tokens: 2, total_tokens: 13 },
  }),
};
