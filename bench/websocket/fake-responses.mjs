// The WebSocket benchmark's fake provider: OpenAI's Responses API on one port, as an HTTP
// stream (POST /v1/responses) and in WebSocket mode (GET /v1/responses, Upgrade), answering
// every turn at once with the same events (a created, DELTAS text deltas, a completed with
// usage), so what the benchmark measures is the path, not the model.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const PORT = Number(process.env.FAKE_PORT || 9330);
const DELTAS = Number(process.env.DELTAS || 20);
let n = 0;

function events() {
  const id = `resp_bench${++n}`;
  const item = {
    id: `msg_${n}`,
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: 'word '.repeat(DELTAS), annotations: [] }],
  };
  const out = [
    {
      type: 'response.created',
      sequence_number: 0,
      response: { id, object: 'response', status: 'in_progress', model: 'gpt-4o-mini', output: [] },
    },
  ];
  for (let i = 0; i < DELTAS; i++)
    out.push({
      type: 'response.output_text.delta',
      sequence_number: i + 1,
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      delta: 'word ',
    });
  out.push({
    type: 'response.completed',
    sequence_number: DELTAS + 1,
    response: {
      id,
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      output: [item],
      usage: {
        input_tokens: 900,
        output_tokens: DELTAS,
        total_tokens: 900 + DELTAS,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    },
  });
  return out.map((e) => JSON.stringify(e));
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url.startsWith('/v1/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"not here"}}');
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(
      events()
        .map((e) => `event: ${JSON.parse(e).type}\ndata: ${e}\n\n`)
        .join(''),
    );
  });
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) =>
    ws.on('message', (data) => {
      if (JSON.parse(data.toString()).type !== 'response.create') return;
      for (const e of events()) ws.send(e);
    }),
  ),
);
server.listen(PORT, '127.0.0.1', () => console.log(`fake responses on ${PORT}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
