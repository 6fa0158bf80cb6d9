import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { generateToken } from '../src/auth/token.js';
import { type Config, loadConfig } from '../src/config.js';
import { Database } from '../src/db/database.js';
import type { Role } from '../src/db/schema/index.js';
import { createLogger, type Logger } from '../src/log.js';
import type { RecorderOptions } from '../src/recorder/recorder.js';
import { type RunningServer, type StartOptions, startServer } from '../src/server.js';
import { contractProblem } from './api-contract.js';
import {
  type DatabaseKind,
  type FreshDatabase,
  freshDatabase,
  POSTGRES_URL,
  postgresUnavailable,
} from './databases.js';
import { TEST_SECRET_KEY } from './gateway.js';

/** A real server on an ephemeral port over a fresh database, with a signed-in owner. */
export interface TestServer {
  url: string;
  running: RunningServer;
  ownerToken: string;
  kind: DatabaseKind;
  /** PostgreSQL only: the suite's schema, so another replica can share it. */
  schema: string | undefined;
  /** fetch against the server with a token (the owner's unless given; null sends none). */
  request(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  /** Creates a user through the API and issues it a token. */
  createUser(username: string, role?: Role): Promise<{ id: string; username: string; token: string }>;
  close(): Promise<void>;
}

/** Extra ways to start a test server. */
export interface TestServerOptions extends Pick<StartOptions, 'retentionIntervalMs' | 'budgets'> {
  recorder?: RecorderOptions;
  /** Start a second replica on this server's PostgreSQL schema (same users and tokens). */
  replicaOf?: TestServer;
  /** Where the server logs (default: the configured level, to stdout). */
  log?: Logger;
}

/** Starts the app exactly as `aibridge server` does, but in-process and on port 0. */
export async function startTestServer(
  kind: DatabaseKind,
  overrides: Partial<Config> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const fresh: FreshDatabase = options.replicaOf
    ? await sharedDatabase(options.replicaOf)
    : await freshDatabase(kind, { migrate: false });
  const ownerToken = options.replicaOf?.ownerToken ?? generateToken().token;
  const config: Config = {
    ...loadConfig({}, {}),
    http: { host: '127.0.0.1', port: 0 },
    bootstrapToken: ownerToken,
    logLevel: 'silent',
    shutdownTimeoutMs: 5000,
    // Suites seed activity dated in the past; only retention tests purge it.
    retentionMs: 0,
    // Replicas must share it; nothing may be generated into the working directory.
    secretKey: TEST_SECRET_KEY,
    // Suites also seed open interceptions; only the reaper's tests close them.
    interruptedAfterMs: 0,
    // Where a spool would go: never the working directory's ./.aibridge (created only if used).
    dataDir: join(tmpdir(), `aibridge-test-${randomBytes(6).toString('hex')}`),
    ...overrides,
  };
  const running = await startServer(config, {
    db: fresh.db,
    log: options.log ?? createLogger(config.logLevel),
    ...(options.recorder ? { recorder: options.recorder } : {}),
    ...(options.budgets ? { budgets: options.budgets } : {}),
    ...(options.retentionIntervalMs ? { retentionIntervalMs: options.retentionIntervalMs } : {}),
  });
  const request: TestServer['request'] = async (path, init = {}) => {
    const { token = ownerToken, json, headers, ...rest } = init;
    const all = new Headers(headers);
    if (token !== null) all.set('Coder-Session-Token', token);
    if (json !== undefined) all.set('content-type', 'application/json');
    const response = await fetch(`${running.url}${path}`, {
      ...rest,
      headers: all,
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
    return running.app.gatewayPaths.isGatewayPath(path)
      ? response
      : checkedAgainstDocument(rest.method ?? 'GET', path, response);
  };
  const createUser: TestServer['createUser'] = async (username, role = 'member') => {
    const created = await request('/api/v2/users', { method: 'POST', json: { username, role } });
    if (created.status !== 201) throw new Error(`create user: ${created.status} ${await created.text()}`);
    const user = (await created.json()) as { id: string; username: string };
    const key = await request(`/api/v2/users/${user.id}/keys`, { method: 'POST', json: {} });
    if (key.status !== 201) throw new Error(`create key: ${key.status} ${await key.text()}`);
    return { ...user, token: ((await key.json()) as { key: string }).key };
  };
  return {
    url: running.url,
    running,
    ownerToken,
    kind,
    schema: fresh.schema,
    request,
    createUser,
    close: async () => {
      await running.close();
      await fresh.dispose();
    },
  };
}

/**
 * Every control-plane answer a test receives is held to the OpenAPI document first (the body
 * is read here and handed on unchanged), so no suite can pass on a response the generated
 * client types would misdescribe.
 */
async function checkedAgainstDocument(method: string, path: string, response: Response): Promise<Response> {
  const text = await response.text();
  const problem = contractProblem(method.toUpperCase(), path, response.status, text);
  if (problem) throw new Error(`${method} ${path}: ${problem}`);
  const body = response.status === 204 || method.toUpperCase() === 'HEAD' ? null : text;
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

async function sharedDatabase(primary: TestServer): Promise<FreshDatabase> {
  if (!primary.schema) throw new Error('only a PostgreSQL test server can have replicas');
  const db = await Database.open({ url: POSTGRES_URL, schema: primary.schema, poolSize: 4 });
  return { db, schema: primary.schema, dispose: () => db.close() };
}

/** Starts a server for the enclosing describe block and stops it afterwards. */
export function useTestServer(kind: DatabaseKind, overrides: Partial<Config> = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(kind, overrides);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('server not started');
    return server;
  };
}

/**
 * Declares the suite once per database kind, each against its own running server; the
 * PostgreSQL half is skipped (with the reason in its title) only when no server is reachable.
 */
export function describeEachServer(
  title: string,
  body: (server: () => TestServer, kind: DatabaseKind) => void,
  overrides: Partial<Config> = {},
): void {
  for (const kind of ['pglite', 'postgres'] as const) {
    const skipped = kind === 'postgres' && postgresUnavailable !== undefined;
    const label = skipped ? `${title} [postgres: SKIPPED, ${postgresUnavailable}]` : `${title} [${kind}]`;
    describe.skipIf(skipped)(label, () => {
      body(useTestServer(kind, overrides), kind);
    });
  }
}
