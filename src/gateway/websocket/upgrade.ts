import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers an upgrade request with a plain HTTP response and closes the socket: what a client
 * that offered a WebSocket gets when aibridge will not take it (Codex and the Agents SDK then
 * use HTTP), in the provider's error shape like every gateway refusal.
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
  const all = {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * Serves an upgrade request aibridge does not take (an h2c offer, or a WebSocket on a path
 * that has none) as the plain HTTP request it also is. Node hands every request with an
 * `Upgrade` header to the `upgrade` listener once there is one, with its parser detached, so
 * the head is written back without the upgrade headers and the socket given to the server
 * again as a new connection: the body, keep-alive and later requests are parsed as usual.
 */
export function serveAsHttp(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    if (name === 'upgrade' || name === 'connection' || name === 'http2-settings') continue;
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), head]));
  server.emit('connection', socket);
}

/** True when the request asks for a WebSocket (`Upgrade: websocket`). */
export function wantsWebSocket(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase().includes('websocket') === true;
}
