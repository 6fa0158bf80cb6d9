import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken } from '../auth/token.js';
import { type Config, type LogLevel, loadConfig } from '../config.js';
import { type RunningServer, startServer } from '../server.js';
import { startFakeProvider } from './fake-provider.js';
import { createPeople, DEMO_TEAM, type Person } from './people.js';
import { DEMO_TASKS } from './tasks.js';
import { DemoTraffic, type TrafficSummary } from './traffic.js';

/** How to run the demo. */
export interface DemoOptions {
  /** `host:port` for the server (default 127.0.0.1:3000; `:0` or port 0 for any free port). */
  httpAddress?: string;
  /** Pause between background threads after the opening story; 0 turns the trickle off. */
  trickleMs?: number;
  /** Pause between streamed events of the fake provider. */
  chunkDelayMs?: number;
  logLevel?: LogLevel;
  /** Told about failures of the background trickle (they do not stop the demo). */
  onTrickleError?: (error: unknown) => void;
}

/** A running demo: where to look, who to sign in as, and how to stop it all. */
export interface Demo {
  url: string;
  ownerToken: string;
  people: Person[];
  /** What the opening story sent through the gateway. */
  story: TrafficSummary;
  traffic: DemoTraffic;
  server: RunningServer;
  dataDir: string;
  /** Stops the trickle, the server (flushing its recordings), the fake provider, and deletes the database. */
  stop(): Promise<void>;
}

/**
 * `aibridge demo`: the real server on a throwaway embedded database (a temporary directory,
 * deleted on stop), both providers pointed at a local fake one, a small team with tokens,
 * and realistic agent traffic through the gateway, so the dashboard has something to show.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const dataDir = await mkdtemp(join(tmpdir(), 'aibridge-demo-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const provider = await startFakeProvider({ tasks: DEMO_TASKS, chunkDelayMs: options.chunkDelayMs ?? 4 });
    cleanups.push(() => provider.close());
    const ownerToken = generateToken().token;
    // An empty environment: the demo never touches DATABASE_URL or real provider keys.
    const base = loadConfig(
      {
        httpAddress: options.httpAddress ?? '127.0.0.1:3000',
        dataDir,
        retention: '0',
        logLevel: options.logLevel ?? 'warn',
      },
      {},
    );
    const config: Config = {
      ...base,
      bootstrapToken: ownerToken,
      openai: { baseUrl: provider.openaiBaseUrl, key: 'demo-openai-key' },
      anthropic: { baseUrl: provider.anthropicBaseUrl, key: 'demo-anthropic-key' },
    };
    const server = await startServer(config);
    cleanups.push(() => server.close());
    const people = await createPeople(server.url, ownerToken, DEMO_TEAM);
    const traffic = new DemoTraffic(
      `${server.url}/api/v2/aibridge`,
      new Map(people.map((p) => [p.username, p])),
    );
    cleanups.push(() => traffic.stop());
    const story = await traffic.burst();
    traffic.startTrickle(options.trickleMs ?? 20_000, options.onTrickleError);
    return { url: server.url, ownerToken, people, story, traffic, server, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
