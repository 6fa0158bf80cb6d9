// npm run bench:websocket — a Codex-like 20-turn conversation over WebSocket vs HTTP, directly
// against a fake provider and through aibridge (PGlite): the HTTP client resends the whole
// history each turn (Codex over HTTP, `store: false`); the WebSocket client sends only the new
// item with `previous_response_id`, to aibridge bridged to HTTP (the default) and relayed to
// the provider's own WebSocket (`settings.websockets`). Per-turn latency is from sending a
// turn to receiving its `response.completed`; overhead is aibridge minus direct on the same
// transport. ROUNDS conversations of TURNS turns each (after one warm-up); writes
// bench/results/websocket.md. Run under both locks (DEVELOPERS.md).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

process.env.UPSTREAM_PORT ||= '9330';
process.env.BENCH_STATE ||= '/tmp/aibridge-bench-websocket';
const { ROOT, STATE, TOKEN, UPSTREAM, PORTS, startAibridge, sleep } = await import('./gateway/procs.mjs');

const ROUNDS = Number(process.env.ROUNDS || 10);
const TURNS = Number(process.env.TURNS || 20);
const AIBRIDGE_PORT = Number(process.env.AIBRIDGE_PORT || 3331);
/** Whether the WebSocket client offers permessage-deflate (aibridge accepts it; the fake does not). */
const DEFLATE = process.env.DEFLATE !== '0';
/** Codex's first request carries ~10 KB of instructions and tool schemas; each turn adds a few items. */
const INSTRUCTIONS = 'You are a coding agent. '.repeat(420);
const userItem = (k) => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text: `step ${k}: ${'do the next thing '.repeat(8)}` }],
});

mkdirSync(STATE, { recursive: true });
const fake = spawn(
  'taskset',
  ['-c', '0', process.execPath, join(ROOT, 'bench/websocket/fake-responses.mjs')],
  {
    env: { ...process.env, FAKE_PORT: String(PORTS.upstream) },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
const gateway = await startAibridge({ name: 'pglite', port: AIBRIDGE_PORT });
try {
  await main();
} finally {
  await gateway.stop();
  fake.kill('SIGTERM');
}

async function main() {
  const created = await fetch(`${gateway.url}/api/v2/aibridge/providers`, {
    method: 'POST',
    headers: { 'Coder-Session-Token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'openai-ws',
      type: 'openai',
      base_url: `${UPSTREAM}/v1`,
      keys: ['sk-bench-openai'],
      settings: { websockets: true },
    }),
  });
  if (created.status !== 201) throw new Error(`create instance: ${created.status} ${await created.text()}`);
  await sleep(500);
  const gw = `${gateway.url}/api/v2/aibridge`;
  const modes = {
    'HTTP, direct': () => httpConversation(`${UPSTREAM}/v1/responses`, {}),
    'HTTP, aibridge': () =>
      httpConversation(`${gw}/openai/v1/responses`, { authorization: `Bearer ${TOKEN}` }),
    'WebSocket, direct': () => socketConversation(`${UPSTREAM}/v1/responses`),
    'WebSocket, aibridge bridged to HTTP': () => socketConversation(`${gw}/openai/v1/responses`, TOKEN),
    'WebSocket, aibridge relayed (settings.websockets)': () =>
      socketConversation(`${gw}/openai-ws/v1/responses`, TOKEN),
  };
  const results = {};
  for (const [name, run] of Object.entries(modes)) {
    await run(); // warm-up conversation
    const turns = [];
    for (let r = 0; r < ROUNDS; r++) turns.push(...(await run()));
    results[name] = stats(turns);
    console.log(name.padEnd(52), fmt(results[name]));
  }
  writeReport(results);
}

async function httpConversation(url, headers) {
  const input = [];
  const times = [];
  for (let k = 0; k < TURNS; k++) {
    input.push(userItem(k));
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      instructions: INSTRUCTIONS,
      input,
      store: false,
      stream: true,
    });
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'openai-beta': 'responses=experimental' },
      body,
    });
    const text = await res.text();
    times.push(performance.now() - t0);
    if (!text.includes('response.completed'))
      throw new Error(`turn ${k}: ${res.status} ${text.slice(0, 200)}`);
    const completed = text
      .split('\n')
      .filter((l) => l.startsWith('data: ') && l.includes('"response.completed"'))[0];
    input.push(...JSON.parse(completed.slice(6)).response.output);
  }
  return times;
}

async function socketConversation(url, token) {
  const headers = {
    'openai-beta': 'responses_websockets=2026-02-06',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers, perMessageDeflate: DEFLATE });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, r) => reject(new Error(`upgrade ${r.statusCode}`)));
  });
  const times = [];
  let previous;
  let waiting;
  ws.on('message', (data) => {
    const event = JSON.parse(data.toString());
    if (event.type === 'response.completed' || event.type === 'error') waiting?.(event);
  });
  for (let k = 0; k < TURNS; k++) {
    const message = {
      type: 'response.create',
      model: 'gpt-4o-mini',
      store: false,
      input: [userItem(k)],
      ...(previous ? { previous_response_id: previous } : { instructions: INSTRUCTIONS }),
    };
    const t0 = performance.now();
    const done = new Promise((resolve) => (waiting = resolve));
    ws.send(JSON.stringify(message));
    const event = await done;
    times.push(performance.now() - t0);
    if (event.type === 'error') throw new Error(`turn ${k}: ${JSON.stringify(event)}`);
    previous = event.response.id;
  }
  ws.close();
  return times;
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    n: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

function fmt(s) {
  return `p50 ${s.p50.toFixed(2)} ms  p90 ${s.p90.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  mean ${s.mean.toFixed(2)} ms  (${s.n} turns)`;
}

function writeReport(results) {
  const base = (name) =>
    name.startsWith('HTTP') || name.includes('bridged')
      ? results['HTTP, direct']
      : results['WebSocket, direct'];
  const rows = Object.entries(results).map(([name, s]) => {
    const direct = name.includes('direct')
      ? undefined
      : name.includes('relayed')
        ? results['WebSocket, direct']
        : base(name);
    const over = direct ? `${(s.p50 - direct.p50).toFixed(2)}` : '—';
    return `| ${name} | ${s.p50.toFixed(2)} | ${s.p90.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.mean.toFixed(2)} | ${over} |`;
  });
  const md = [
    '# Responses over WebSocket vs HTTP: a 20-turn conversation',
    '',
    `\`npm run bench:websocket\` (ROUNDS=${ROUNDS}, TURNS=${TURNS}, ${new Date().toISOString()}): per-turn latency,`,
    'send → `response.completed`, against the fake provider in bench/websocket/ (answers at once,',
    '20 deltas) and through aibridge on PGlite. HTTP resends the whole history each turn',
    '(~10 KB of instructions plus every item so far); WebSocket sends only the new item with',
    '`previous_response_id`. Overhead: aibridge p50 minus direct p50 (HTTP and bridged',
    'WebSocket against direct HTTP, relayed WebSocket against direct WebSocket).',
    '',
    '| path | p50 ms | p90 ms | p99 ms | mean ms | overhead p50 ms |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/websocket.md'), md);
  console.log('wrote bench/results/websocket.md');
}
