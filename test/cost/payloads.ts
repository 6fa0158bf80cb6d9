/**
 * Provider responses in their real wire formats, with the usage fields pricing reads:
 * Anthropic's `cache_creation` split and `server_tool_use`, OpenAI's cached and reasoning
 * token details and Responses `web_search_call` items. Built here (not captured) so each
 * case's expected cost can be computed by hand from its numbers.
 */

/** Anthropic usage as `message_start` / a blocking body reports it. */
export interface AnthropicUsage {
  input: number;
  output: number;
  cacheRead: number;
  cache5m: number;
  cache1h: number;
  webSearches: number;
}

function anthropicUsage(u: AnthropicUsage, output: number): Record<string, unknown> {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cache5m + u.cache1h,
    cache_read_input_tokens: u.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: u.cache5m, ephemeral_1h_input_tokens: u.cache1h },
    output_tokens: output,
    ...(u.webSearches ? { server_tool_use: { web_search_requests: u.webSearches } } : {}),
  };
}

/** A blocking Messages response. */
export function anthropicMessage(model: string, u: AnthropicUsage): string {
  return JSON.stringify({
    id: 'msg_cost_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'Done.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(u, u.output),
  });
}

/**
 * A streamed Messages response. `message_delta` repeats the usage cumulatively (newer API
 * versions send input and cache counts again): summing it with `message_start` would count
 * them twice.
 */
export function anthropicStream(model: string, u: AnthropicUsage): string {
  const events: Array<[string, unknown]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: 'msg_cost_2',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          usage: anthropicUsage(u, 1),
        },
      },
    ],
    [
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Done.' } },
    ],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: anthropicUsage(u, u.output),
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

/** OpenAI usage: `prompt` includes `cached`; `output` includes `reasoning`. */
export interface OpenAIUsage {
  prompt: number;
  cached: number;
  output: number;
  reasoning: number;
}

function chatUsage(u: OpenAIUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.output,
    total_tokens: u.prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0 },
  };
}

/** A blocking Chat Completions response. */
export function chatCompletion(model: string, u: OpenAIUsage): string {
  return JSON.stringify({
    id: 'chatcmpl-cost-1',
    object: 'chat.completion',
    created: 1_764_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Done.' }, finish_reason: 'stop' }],
    usage: chatUsage(u),
  });
}

/** A streamed Chat Completions response ending with the usage chunk `include_usage` asks for. */
export function chatStream(model: string, u: OpenAIUsage): string {
  const base = { id: 'chatcmpl-cost-2', object: 'chat.completion.chunk', created: 1_764_000_000, model };
  const chunks = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Done.' }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { ...base, choices: [], usage: chatUsage(u) },
  ];
  return `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
}

function responseObject(model: string, u: OpenAIUsage, webSearches: number): Record<string, unknown> {
  const searches = Array.from({ length: webSearches }, (_, i) => ({
    type: 'web_search_call',
    id: `ws_${i}`,
    status: 'completed',
    action: { type: 'search', query: 'aibridge pricing' },
  }));
  return {
    id: 'resp_cost_1',
    object: 'response',
    status: 'completed',
    model,
    output: [
      ...searches,
      { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] },
    ],
    usage: {
      input_tokens: u.prompt,
      input_tokens_details: { cached_tokens: u.cached },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: u.reasoning },
      total_tokens: u.prompt + u.output,
    },
  };
}

/** A blocking Responses response, with `webSearches` web_search_call items. */
export function response(model: string, u: OpenAIUsage, webSearches = 0): string {
  return JSON.stringify(responseObject(model, u, webSearches));
}

/** A streamed Responses response: each item done, then `response.completed` with the whole response. */
export function responseStream(model: string, u: OpenAIUsage, webSearches = 0): string {
  const whole = responseObject(model, u, webSearches);
  const events: Array<[string, unknown]> = [
    [
      'response.created',
      { type: 'response.created', response: { ...whole, status: 'in_progress', output: [], usage: null } },
    ],
    ...(whole.output as unknown[]).map(
      (item, i) =>
        ['response.output_item.done', { type: 'response.output_item.done', output_index: i, item }] as [
          string,
          unknown,
        ],
    ),
    ['response.completed', { type: 'response.completed', response: whole }],
  ];
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}
