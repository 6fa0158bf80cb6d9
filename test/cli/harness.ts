import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../../src/demo/fake-provider.js';
import { createPeople, DEMO_TEAM, type Person } from '../../src/demo/people.js';
import { DEMO_TASKS } from '../../src/demo/tasks.js';
import { DemoTraffic, type TrafficSummary } from '../../src/demo/traffic.js';
import { type CliResult, runCli } from '../cli.js';
import { startTestServer, type TestServer } from '../server.js';

/** A real server whose data came through its gateway, and how to run the CLI against it. */
export interface CliWorld {
  server: TestServer;
  provider: FakeProvider;
  people: Map<string, Person>;
  story: TrafficSummary;
  /** Environment naming the server and the owner's token. */
  env: Record<string, string>;
  /** Runs the CLI as the owner (env added to the world's). */
  cli(args: string[], env?: Record<string, string>, input?: string): Promise<CliResult>;
  /** Runs the CLI, expects exit 0 and an empty stderr, and parses stdout as JSON. */
  json<T>(args: string[], env?: Record<string, string>): Promise<T>;
  /** GETs an API path as the owner (or `token`) and parses it. */
  api<T>(path: string, token?: string): Promise<T>;
  /** A fresh config directory for the suite (XDG_CONFIG_HOME), removed afterwards. */
  configDir(): string;
}

/**
 * Starts the demo's team and story for the enclosing suite: a server on a fresh PGlite
 * database, the demo's fake provider behind its gateway, and the demo's simulated Claude
 * Code, Codex, Cursor and SDK clients sending their traffic through it (17 threads, 52
 * interceptions, 14 sessions), waiting until every interception is recorded. Suites using it
 * allow tests 120 s: each runs the CLI as a subprocess many times, slow on a loaded 2-core machine.
 */
export function useCliWorld(): () => CliWorld {
  let world: CliWorld | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    const provider = await startFakeProvider({ tasks: DEMO_TASKS });
    const server = await startTestServer('pglite', {
      openai: { baseUrl: provider.openaiBaseUrl, key: 'test-openai-key' },
      anthropic: { baseUrl: provider.anthropicBaseUrl, key: 'test-anthropic-key' },
    });
    const people = new Map(
      (await createPeople(server.url, server.ownerToken, DEMO_TEAM)).map((p) => [p.username, p]),
    );
    const story = await new DemoTraffic(`${server.url}/api/v2/aibridge`, people).burst();
    const api = async <T>(path: string, token?: string): Promise<T> => {
      const init = token === undefined ? {} : { token };
      // PGlite runs in this process: a long seed blocks the event loop past the server's
      // keep-alive timeout, and the pooled connection it closed meanwhile resets once.
      const res = await server.request(path, init).catch(() => server.request(path, init));
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    await allRecorded(api, story.interceptions);
    const env = { AIBRIDGE_URL: server.url, AIBRIDGE_TOKEN: server.ownerToken, TZ: 'UTC' };
    const cli = (args: string[], extra: Record<string, string> = {}, input = '') =>
      runCli(args, { ...env, ...extra }, input);
    world = {
      server,
      provider,
      people,
      story,
      env,
      cli,
      api,
      async json<T>(args: string[], extra: Record<string, string> = {}) {
        const result = await cli(args, extra);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        return JSON.parse(result.stdout) as T;
      },
      configDir() {
        const dir = mkdtempSync(join(tmpdir(), 'aibridge-cli-test-'));
        dirs.push(dir);
        return dir;
      },
    };
  }, 300_000);
  afterAll(async () => {
    await world?.server.close();
    await world?.provider.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!world) throw new Error('the CLI world is not started');
    return world;
  };
}

/** Recording ends just after each response: waits until the API lists every interception. */
async function allRecorded(api: <T>(path: string) => Promise<T>, count: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const { count: listed } = await api<{ count: number }>('/api/v2/aibridge/interceptions?limit=1');
      if (listed < count) throw new Error(`only ${listed} of ${count} interceptions were recorded`);
    },
    { timeout: 60_000, interval: 50 },
  );
}
