import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';

/** One WebSocket a client (the gateway) opened on the fake provider. */
export interface ReceivedSocket {
  url: string;
  headers: IncomingHttpHeaders;
  /** Every text message it sent, exactly as sent. */
  messages: string[];
  ws: WebSocket;
}

/** How the fake answers one message: send any messages back (or close the socket). */
export type SocketResponder = (message: string, connection: ReceivedSocket) => void;

/**
 * A fake provider speaking OpenAI's Responses WebSocket mode on an ephemeral port: it records
 * every handshake and message, can refuse a handshake with an HTTP status (as a provider does
 * for a bad key), and answers messages with whatever the test scripted.
 */
export class FakeSocketUpstream {
  readonly connections: ReceivedSocket[] = [];
  /** Refuses a handshake when this returns a status (with a JSON body). */
  refuse: ((headers: IncomingHttpHeaders) => { status: number; body: string } | undefined) | undefined;
  respond: SocketResponder = () => {};
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeSocketUpstream> {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"this fake speaks WebSocket only"}}');
    });
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSocketUpstream(server, wss, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      const refusal = fake.refuse?.(req.headers);
      if (refusal) {
        socket.end(
          `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(refusal.body)}\r\nconnection: close\r\n\r\n${refusal.body}`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const connection: ReceivedSocket = { url: req.url ?? '', headers: req.headers, messages: [], ws };
        fake.connections.push(connection);
        ws.on('message', (data) => {
          const text = data.toString();
          connection.messages.push(text);
          fake.respond(text, connection);
        });
      });
    });
    return fake;
  }

  /** Every message received, over all connections, in order. */
  get messages(): string[] {
    return this.connections.flatMap((c) => c.messages);
  }

  reset(): void {
    for (const c of this.connections) c.ws.terminate();
    this.connections.length = 0;
    this.refuse = undefined;
    this.respond = () => {};
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
