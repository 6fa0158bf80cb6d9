import WebSocket from 'ws';
import type { TestServer } from './../server.js';

/** Headers Codex 0.171 sends on its Responses WebSocket upgrade (from a capture), token aside. */
export const CODEX_WS_HEADERS: Record<string, string> = {
  'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)',
  originator: 'codex_exec',
  'openai-beta': 'responses_websockets=2026-02-06',
  version: '0.171.0',
  'session-id': '01a22221-7fbd-7b90-a551-171cfe1ebb8e',
  'thread-id': '01a22221-7fbd-7b90-a551-171cfe1ebb8e',
  'x-client-request-id': '01a22221-7fbd-7b90-a551-171cfe1ebb8e',
};

/** A test client on the gateway's Responses WebSocket that collects what it receives. */
export class SocketClient {
  readonly messages: Record<string, unknown>[] = [];
  /** The same messages as the text that arrived. */
  readonly texts: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.texts.push(data.toString());
      this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens a socket as Codex does (its headers, the owner's token unless given). */
  static open(
    server: TestServer,
    path = '/openai/v1/responses',
    token?: string | null,
  ): Promise<SocketClient> {
    const url = `${server.url.replace(/^http/, 'ws')}/api/v2/aibridge${path}`;
    const headers: Record<string, string> = { ...CODEX_WS_HEADERS };
    const bearer = token === undefined ? server.ownerToken : token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    const ws = new WebSocket(url, { headers, perMessageDeflate: true });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new SocketClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
      });
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Waits until a received message satisfies `test` (or the socket closes), returning the messages since `from`. */
  async until(test: (m: Record<string, unknown>) => boolean, from = 0): Promise<Record<string, unknown>[]> {
    for (;;) {
      const at = this.messages.slice(from).findIndex(test);
      if (at !== -1) return this.messages.slice(from, from + at + 1);
      if (this.closed)
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before the message`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits for the server to close the socket. */
  async closedWith(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.closed;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** The upgrade was answered with an HTTP status instead of 101. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}
