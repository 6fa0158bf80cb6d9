// Back-pressure through the real gateway: a burst of concurrent requests far larger than the
// recorder's queue. Requests the queue cannot take are answered 503 in the provider's error
// shape (after waiting admitTimeoutMs for room); every request answered 200 must be recorded
// whole; the queue never passes its bound and the gateway's RSS stays bounded.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';

const RESPONSE_TOOLS = ['Bash', 'Read'];

/** An Anthropic-like upstream answering every message with text, two tool calls and usage. */
async function fakeUpstream() {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = ++n;
      const body = JSON.stringify({
        id: `msg_burst${id}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'text', text: 'Looking at the repository.' },
          ...RESPONSE_TOOLS.map((name, i) => ({
            type: 'tool_use',
            id: `toolu_${id}_${i}`,
            name,
            input: { command: 'ls -la src' },
          })),
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: 1200,
          output_tokens: 80,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

const REQUEST = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'List the source files and read the largest one.' }],
});

function post(url, token, agent) {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/api/v2/aibridge/anthropic/v1/messages`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(REQUEST),
          'x-api-key': token,
          'anthropic-version': '2023-06-01',
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            id: res.headers['x-aibridge-interception-id'],
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    req.end(REQUEST);
  });
}

/** One burst: `requests` fired at once at a gateway whose queue holds `queue` records. */
export async function runBurst({ backend, requests, queue, admitTimeoutMs, stallMs = 0 }) {
  const upstream = await fakeUpstream();
  const child = fork(
    new URL('./burst-server.mjs', import.meta.url),
    [
      JSON.stringify({
        backend,
        upstream: upstream.url,
        recorder: { maxQueuedRecords: queue, admitTimeoutMs },
      }),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const [ready] = await once(child, 'message');
  if (stallMs > 0) {
    child.send({ type: 'stall', ms: stallMs });
    await once(child, 'message');
  }
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: requests }, () => post(ready.url, ready.token, agent)),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 503);
  const shaped = refused.filter((r) => {
    try {
      const body = JSON.parse(r.body);
      return body.type === 'error' && body.error?.type === 'overloaded_error';
    } catch {
      return false;
    }
  });
  child.send({ type: 'finish', accepted: ok.map((r) => r.id) });
  const [server] = await once(child, 'message');
  upstream.server.close();
  const other = results.length - ok.length - refused.length;
  return {
    backend,
    requests,
    queue,
    admitTimeoutMs,
    stallMs,
    seconds,
    ok: ok.length,
    refused: refused.length,
    refusedInProviderShape: shaped.length,
    other,
    otherSample: results.find((r) => r.status !== 200 && r.status !== 503),
    recorded: server.counts.interceptions,
    complete: server.counts.complete,
    acceptedFound: server.acceptedFound,
    lost: ok.length - server.counts.complete,
    maxQueueDepth: server.maxDepth,
    peakRssMb: server.peakRssMb,
    baseRssMb: server.baseRssMb,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [backend = 'postgres', requests = '5000', queue = '2000', timeout = '1000', stall = '0'] =
    process.argv.slice(2);
  console.log(
    await runBurst({
      backend,
      requests: Number(requests),
      queue: Number(queue),
      admitTimeoutMs: Number(timeout),
      stallMs: Number(stall),
    }),
  );
}
