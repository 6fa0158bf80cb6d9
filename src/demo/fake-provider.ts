import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRecord, type JsonRecord } from '../gateway/intercept/values.js';
import { estimateUsage, planTurn, type Task, type TaskBook, taskBook } from './model.js';
import { anthropicEvents, anthropicMessage } from './replies/anthropic.js';
import { chatCompletion, chatEvents } from './replies/chat.js';
import { responsesEvents, responsesObject } from './replies/responses.js';
import { anthropicTurn, chatTurn, type RequestTurn, responsesTurn } from './turn-context.js';

/** How the fake provider behaves. */
export interface FakeProviderOptions {
  /** Prompts it knows how to work through; others get a short improvised loop. */
  tasks?: Iterable<Task>;
  /** Pause between streamed events, so streams look like streams (0 in tests). */
  chunkDelayMs?: number;
  host?: string;
  port?: number;
}

/** A running fake provider: base URLs to give aibridge, and how to stop it. */
export interface FakeProvider {
  url: string;
  /** `AIBRIDGE_OPENAI_BASE_URL` for it. */
  openaiBaseUrl: string;
  /** `AIBRIDGE_ANTHROPIC_BASE_URL` for it. */
  anthropicBaseUrl: string;
  /** Requests answered so far, by route. */
  readonly served: Record<string, number>;
  close(): Promise<void>;
}

const MODELS = [
  'claude-sonnet-4-5',
  'claude-opus-4-1',
  'claude-haiku-4-5',
  'gpt-5',
  'gpt-5-codex',
  'gpt-4.1-mini',
];

/**
 * A local stand-in for OpenAI and Anthropic that answers Chat Completions, Responses and
 * Messages requests, streaming or blocking, in the providers' own formats, with tool calls,
 * thinking / reasoning summaries and cache-aware usage from a scripted model. It ships with
 * the CLI so `aibridge demo` shows the whole gateway path without any provider key; tests use
 * it to produce dashboard data through the real gateway.
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const book = taskBook(options.tasks ?? []);
  const delayMs = options.chunkDelayMs ?? 0;
  const served: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res, book, delayMs, served).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1/`,
    anthropicBaseUrl: `${url}/`,
    served,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  book: TaskBook,
  delayMs: number,
  served: Record<string, number>,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const raw = await readBody(req);
  const route = `${req.method} ${path}`;
  served[route] = (served[route] ?? 0) + 1;
  if (req.method === 'HEAD' || (req.method === 'GET' && path === '/')) return json(res, 200, {});
  if (req.method === 'GET' && path === '/v1/models') {
    return json(res, 200, {
      object: 'list',
      data: MODELS.map((id) => ({ id, object: 'model', owned_by: 'demo' })),
    });
  }
  const api = req.method === 'POST' ? API_BY_PATH[path] : undefined;
  if (!api) return json(res, 404, { error: { message: `no route ${route}`, type: 'invalid_request_error' } });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
  }
  if (!isRecord(body))
    return json(res, 400, { error: { message: 'body is not an object', type: 'invalid_request_error' } });
  const model = typeof body.model === 'string' ? body.model : 'unknown-model';
  const turn = api.read(body, raw);
  const answer = planTurn(book, turn);
  const usage = estimateUsage(Buffer.byteLength(raw), answer, {
    kind: api.name === 'messages' ? (turn.cacheControl ? 'anthropic' : 'none') : 'openai',
    fresh: turn.fresh,
  });
  if (body.stream !== true) {
    const blocking =
      api.name === 'messages'
        ? anthropicMessage(model, answer, usage)
        : api.name === 'responses'
          ? responsesObject(model, answer, usage)
          : chatCompletion(model, answer, usage);
    return json(res, 200, blocking);
  }
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const events =
    api.name === 'messages'
      ? anthropicEvents(model, answer, usage)
      : api.name === 'responses'
        ? responsesEvents(model, answer, usage)
        : chatEvents(model, answer, usage, includeUsage);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const [index, event] of events.entries()) {
    if (res.destroyed) return;
    if (index > 0 && delayMs > 0) await sleep(delayMs);
    res.write(event);
  }
  res.end();
}

interface Api {
  name: 'messages' | 'responses' | 'chat';
  read(body: JsonRecord, raw: string): RequestTurn;
}

const API_BY_PATH: Record<string, Api> = {
  '/v1/messages': { name: 'messages', read: anthropicTurn },
  '/v1/responses': { name: 'responses', read: (body) => responsesTurn(body) },
  '/v1/chat/completions': { name: 'chat', read: (body) => chatTurn(body) },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
