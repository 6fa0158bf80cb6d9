#!/usr/bin/env node
// Captures what a real client sends, for test/fixtures/clients (see the README there).
//   node scripts/capture-client.mjs NAME [NOTE]      PORT=9400  OUT=test/fixtures/clients
// Listens on 127.0.0.1:PORT and answers through the benchmark's fake upstream
// (bench/harness/fake-upstream.mjs, started beside it), so the client sees a plausible provider
// and carries on with its agent loop. Each request is written as OUT/NAME.json, then
// NAME-2.json, NAME-3.json, …: method, url, raw headers in the order and case they came, and the
// JSON body with strings over 200 characters cut (`…[N chars]` says how many were dropped).
// WebSocket upgrades are captured and refused (426), as Codex then falls back to HTTP.
// Point the client at http://127.0.0.1:PORT with a dummy key (`test-key`); values that look
// like real provider keys are replaced before anything is written.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

const [name, note = ''] = process.argv.slice(2);
if (!name) {
  console.error('usage: node scripts/capture-client.mjs NAME [NOTE]');
  process.exit(2);
}
const PORT = Number(process.env.PORT || 9400);
const FAKE_PORT = PORT + 1;
const OUT = process.env.OUT || new URL('../test/fixtures/clients/', import.meta.url).pathname;
const KEEP = 160;
const REAL_KEY = /\b(sk-(?:ant-)?[A-Za-z0-9_-]{20,})/g;

/** Long strings (system prompts, tool lists) cut so a capture stays readable and small. */
function trim(value) {
  if (typeof value === 'string')
    return value.length > 200 ? `${value.slice(0, KEEP)}…[${value.length - KEEP} chars]` : value;
  if (Array.isArray(value)) return value.map(trim);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trim(v)]));
  return value;
}

let count = 0;
function save(req, raw) {
  count += 1;
  const rawHeaders = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    rawHeaders.push([req.rawHeaders[i], req.rawHeaders[i + 1].replace(REAL_KEY, 'sk-REDACTED')]);
  let body = null;
  if (raw.length > 0) {
    try {
      body = trim(JSON.parse(raw.toString('utf8')));
    } catch {
      body = trim(raw.toString('utf8'));
    }
  }
  const file = join(OUT, count === 1 ? `${name}.json` : `${name}-${count}.json`);
  const capture = { note, method: req.method, url: req.url, rawHeaders, body };
  writeFileSync(file, `${JSON.stringify(capture, null, 2)}\n`);
  console.log(`captured ${req.method} ${req.url} -> ${file}`);
}

const fake = spawn(
  process.execPath,
  [new URL('../bench/harness/fake-upstream.mjs', import.meta.url).pathname],
  {
    env: { ...process.env, FAKE_PORT: String(FAKE_PORT) },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    save(req, raw);
    if (req.method === 'HEAD') return res.end(); // Claude Code's preconnect: any answer will do
    const headers = { ...req.headers, host: `127.0.0.1:${FAKE_PORT}` };
    const forward = http.request({
      port: FAKE_PORT,
      host: '127.0.0.1',
      method: req.method,
      path: req.url,
      headers,
    });
    forward.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fake upstream: ${error.message}`);
    });
    forward.end(raw);
  });
});
server.on('upgrade', (req, socket) => {
  save(req, Buffer.alloc(0));
  socket.end('HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
});
server.listen(PORT, '127.0.0.1', () => console.log(`capturing as ${name} on http://127.0.0.1:${PORT}`));
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    fake.kill();
    server.close();
    process.exit(0);
  });
