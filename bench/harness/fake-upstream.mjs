#!/usr/bin/env node
// Fake LLM upstream for gateway benchmarks: plain node:http, no dependencies.
//   POST .../chat/completions  OpenAI Chat Completions (JSON, or SSE + "data: [DONE]" when stream:true)
//   POST .../messages          Anthropic Messages (JSON, or SSE message_start ... message_stop)
//   POST .../responses         OpenAI Responses (JSON, or SSE response.created ... response.completed)
//   GET  /healthz              "ok"
//   GET  /_stats               {"chat":n,"messages":n,"responses":n,...} requests served (to check a gateway forwarded)
// Paths are matched by suffix, so /v1/chat/completions and /openai/v1/chat/completions both work.
// Env: FAKE_HOST (127.0.0.1) FAKE_PORT (9100) FAKE_CHUNKS (20 text deltas per stream)
//      FAKE_DELAY_MS (0: fixed delay before the response starts, i.e. time to first byte)
//      FAKE_CHUNK_DELAY_MS (0: delay between SSE events; 0 writes them back to back)
//      FAKE_CACHE_READ (2048) FAKE_CACHE_WRITE (256): Anthropic cache token counts reported
import http from 'node:http';

const HOST = process.env.FAKE_HOST || '127.0.0.1';
const PORT = Number(process.env.FAKE_PORT || 9100);
const CHUNKS = Number(process.env.FAKE_CHUNKS ?? 20);
const DELAY = Number(process.env.FAKE_DELAY_MS || 0);
const CHUNK_DELAY = Number(process.env.FAKE_CHUNK_DELAY_MS || 0);
const CACHE_READ = Number(process.env.FAKE_CACHE_READ ?? 2048);
const CACHE_WRITE = Number(process.env.FAKE_CACHE_WRITE ?? 256);

const WORDS = [
  'Hello',
  ' there',
  '!',
  ' This',
  ' is',
  ' a',
  ' fake',
  ' streamed',
  ' answer',
  ' from',
  ' the',
  ' benchmark',
  ' upstream',
  ',',
];
const tokens = Array.from({ length: CHUNKS }, (_, i) => WORDS[i % WORDS.length]);
const TEXT = tokens.join('');
const stats = { chat: 0, messages: 0, responses: 0, other: 0, bad: 0 };
let seq = 0;

const sse = (event, obj) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(obj)}\n\n`;
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function usageIn(rawLen) {
  return Math.max(1, Math.ceil(rawLen / 4));
} // ~4 chars per token

function chat(body, rawLen, id) {
  const model = body.model || 'gpt-4o-mini',
    created = Math.floor(Date.now() / 1000);
  const inTok = usageIn(rawLen),
    outTok = CHUNKS;
  const usage = {
    prompt_tokens: inTok,
    completion_tokens: outTok,
    total_tokens: inTok + outTok,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
  const cid = `chatcmpl-fake${id}`;
  if (!body.stream) {
    return {
      json: {
        id: cid,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: TEXT, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage,
      },
    };
  }
  const base = { id: cid, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake' };
  const ev = [
    sse(null, {
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    }),
  ];
  for (const t of tokens)
    ev.push(
      sse(null, {
        ...base,
        choices: [{ index: 0, delta: { content: t }, logprobs: null, finish_reason: null }],
      }),
    );
  ev.push(sse(null, { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }));
  if (body.stream_options?.include_usage) ev.push(sse(null, { ...base, choices: [], usage }));
  ev.push('data: [DONE]\n\n');
  return { events: ev };
}

function messages(body, rawLen, id) {
  const model = body.model || 'claude-sonnet-4-20250514';
  const inTok = usageIn(rawLen),
    outTok = CHUNKS,
    mid = `msg_fake${id}`;
  const usage = {
    input_tokens: inTok,
    cache_creation_input_tokens: CACHE_WRITE,
    cache_read_input_tokens: CACHE_READ,
    output_tokens: outTok,
  };
  if (!body.stream) {
    return {
      json: {
        id: mid,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: TEXT }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage,
      },
    };
  }
  const ev = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id: mid,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    sse('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
  ];
  for (const t of tokens)
    ev.push(
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: t },
      }),
    );
  ev.push(
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: outTok },
    }),
    sse('message_stop', { type: 'message_stop' }),
  );
  return { events: ev };
}

function responses(body, rawLen, id) {
  const model = body.model || 'gpt-4o-mini',
    created_at = Math.floor(Date.now() / 1000);
  const inTok = usageIn(rawLen),
    outTok = CHUNKS,
    rid = `resp_fake${id}`,
    mid = `msg_fake${id}`;
  const usage = {
    input_tokens: inTok,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outTok,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inTok + outTok,
  };
  const part = { type: 'output_text', text: TEXT, annotations: [] };
  const item = { id: mid, type: 'message', status: 'completed', role: 'assistant', content: [part] };
  const resp = (status, extra) => ({
    id: rid,
    object: 'response',
    created_at,
    status,
    model,
    output: [],
    usage: null,
    ...extra,
  });
  if (!body.stream) return { json: resp('completed', { output: [item], usage }) };
  let n = 0;
  const e = (type, obj) => sse(type, { type, sequence_number: n++, ...obj });
  const ev = [
    e('response.created', { response: resp('in_progress') }),
    e('response.in_progress', { response: resp('in_progress') }),
    e('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    e('response.content_part.added', {
      item_id: mid,
      output_index: 0,
      content_index: 0,
      part: { ...part, text: '' },
    }),
  ];
  for (const t of tokens)
    ev.push(e('response.output_text.delta', { item_id: mid, output_index: 0, content_index: 0, delta: t }));
  ev.push(
    e('response.output_text.done', { item_id: mid, output_index: 0, content_index: 0, text: TEXT }),
    e('response.content_part.done', { item_id: mid, output_index: 0, content_index: 0, part }),
    e('response.output_item.done', { output_index: 0, item }),
    e('response.completed', { response: resp('completed', { output: [item], usage }) }),
  );
  return { events: ev };
}

function send(res, out, id) {
  if (out.json) {
    const s = JSON.stringify(out.json);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(s),
      'x-request-id': `req_fake${id}`,
    });
    return res.end(s);
  }
  res.writeHead(200, { ...SSE_HEADERS, 'x-request-id': `req_fake${id}` });
  if (!CHUNK_DELAY) {
    for (const ev of out.events) res.write(ev);
    return res.end();
  }
  let i = 0;
  const tick = () => {
    if (res.destroyed) return;
    res.write(out.events[i++]);
    if (i < out.events.length) setTimeout(tick, CHUNK_DELAY);
    else res.end();
  };
  tick();
}

const ROUTES = [
  ['/chat/completions', 'chat', chat],
  ['/messages', 'messages', messages],
  ['/responses', 'responses', responses],
];

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/healthz') return res.end('ok');
  if (req.method === 'GET' && path === '/_stats') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify(stats));
  }
  const route = req.method === 'POST' && ROUTES.find(([suffix]) => path.endsWith(suffix));
  if (!route) {
    stats.other++;
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString();
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      stats.bad++;
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"invalid JSON body","type":"invalid_request_error"}}');
    }
    stats[route[1]]++;
    const id = ++seq,
      out = route[2](body, raw.length, id);
    if (DELAY) setTimeout(() => send(res, out, id), DELAY);
    else send(res, out, id);
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(PORT, HOST, () =>
  console.log(
    `fake-upstream listening on http://${HOST}:${PORT} chunks=${CHUNKS} delay=${DELAY}ms chunk_delay=${CHUNK_DELAY}ms pid=${process.pid}`,
  ),
);
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
