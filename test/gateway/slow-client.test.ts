import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { useTestServer } from '../server.js';

// A key is configured, so the request gets as far as reading its body (never sent upstream).
const server = useTestServer('pglite', {
  bodyTimeoutMs: 800,
  anthropic: { baseUrl: 'http://127.0.0.1:9/', key: 'sk-ant-never-used' },
  openai: { baseUrl: 'http://127.0.0.1:9/v1/', key: 'sk-never-used' },
});

it('cuts a client that trickles its body instead of holding the connection', async () => {
  const { port } = new URL(server().url);
  const socket = connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  socket.write(
    `POST /api/v2/aibridge/anthropic/v1/messages HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${server().ownerToken}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
  );
  // One byte each time the last one was flushed: the server, not the client, must end it.
  const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
  await closed;
  clearInterval(trickle);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(answer).toContain('"type":"error"');
});

it('answers headers too large with 431 in the provider shape on gateway paths', async () => {
  const res = await fetch(`${server().url}/api/v2/aibridge/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'x-padding': 'a'.repeat(100_000), 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(431);
  expect(await res.json()).toMatchObject({
    error: { type: 'invalid_request_error', code: 'request_too_large' },
  });
});
