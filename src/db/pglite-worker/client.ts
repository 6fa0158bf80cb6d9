import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  EmbeddedDatabaseError,
  type Reply,
  type Request,
  type WireResult,
  type WorkerOptions,
  workerLost,
} from './protocol.js';

/** Pause before starting a worker again after it died, doubling up to the last. */
const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5000;

/** The compiled worker beside this module; under the test runner (sources) the build's copy. */
function workerUrl(): URL {
  const compiled = new URL('./worker.js', import.meta.url);
  if (existsSync(compiled)) return compiled;
  return new URL(compiled.href.replace('/src/db/pglite-worker/', '/dist/db/pglite-worker/'));
}

type Pending = { resolve: (result: WireResult | undefined) => void; reject: (error: unknown) => void };

/**
 * The embedded database on a thread of its own (PGlite in a `worker_threads` Worker), so its
 * WASM PostgreSQL never blocks the gateway's event loop. Requests are messages; a worker that
 * dies fails what was in flight as a lost connection (the outage path: 503 with Retry-After,
 * and the health probe) and is started again on the same data directory, with its LISTENs
 * (each listener is then told once, with an empty payload, in case a notification was lost).
 * `generation` changes at each start, so a transaction begun on a dead worker cannot go on
 * on the next one.
 */
export class PGliteWorker {
  private worker: Worker | undefined;
  /** Resolves once the current worker answered `ready`; what requests wait on meanwhile. */
  private starting: Promise<Worker> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly channels = new Map<string, Array<(payload: string) => void>>();
  private restarts = 0;
  private closed = false;
  generation = 0;

  private constructor(private readonly options: WorkerOptions) {}

  /** Starts the worker and waits until the database is open (migrations are the caller's). */
  static async start(options: WorkerOptions): Promise<PGliteWorker> {
    if (options.dataDir && !existsSync(join(options.dataDir, 'PG_VERSION'))) {
      // A new directory: initdb's WASM instance keeps ~500 MB that a thread gives back only
      // when it ends, so the database is created on a thread of its own, closed, then opened.
      await (await PGliteWorker.spawned(options)).close();
    }
    return PGliteWorker.spawned(options);
  }

  private static async spawned(options: WorkerOptions): Promise<PGliteWorker> {
    const client = new PGliteWorker(options);
    try {
      await client.spawn();
    } catch (error) {
      // A database that cannot open (a damaged data directory) fails the start, not a restart loop.
      client.closed = true;
      await client.worker?.terminate();
      throw error;
    }
    return client;
  }

  private spawn(): Promise<Worker> {
    this.generation++;
    const worker = new Worker(workerUrl(), { workerData: this.options });
    const started = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (reply: Reply) => {
        if ('id' in reply) {
          const waiter = this.pending.get(reply.id);
          this.pending.delete(reply.id);
          // Idle, the thread does not keep the process alive (a caller that never closes can exit).
          if (this.pending.size === 0) worker.unref();
          if (reply.ok) waiter?.resolve(reply.result);
          else waiter?.reject(new EmbeddedDatabaseError(reply.error));
        } else if (reply.op === 'notify') {
          for (const handler of this.channels.get(reply.channel) ?? []) handler(reply.payload);
        } else if (reply.op === 'ready') {
          this.restarts = 0;
          if (this.pending.size === 0) worker.unref();
          resolve(worker);
        } else reject(new EmbeddedDatabaseError(reply.error));
      });
      worker.on('error', (error) => {
        reject(error);
        this.lost(worker, error.message);
      });
      worker.on('exit', (code) => {
        reject(workerLost(`exit code ${code}`));
        this.lost(worker, `exit code ${code}`);
      });
    });
    this.worker = worker;
    this.starting = started;
    started.then(
      () => {
        if (this.starting === started) this.starting = undefined;
      },
      () => {},
    );
    return started;
  }

  /** The worker ended without being asked: fail what it held, start another after a pause. */
  private lost(worker: Worker, detail: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const error = workerLost(detail);
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    if (this.closed) return;
    const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** this.restarts++);
    const restarted = new Promise<Worker>((resolve, reject) => {
      setTimeout(() => {
        if (this.closed) return reject(workerLost('closed'));
        this.spawn()
          .then(async (next) => {
            for (const channel of this.channels.keys()) await this.call({ op: 'listen', channel }, next);
            resolve(next);
            // A notification committed just before the thread died may never have been passed
            // on: every listener hears once (empty payload) that something may have changed.
            for (const handlers of this.channels.values()) for (const handler of handlers) handler('');
          })
          .catch(reject);
      }, delay).unref();
    });
    restarted.catch(() => {});
    this.starting = restarted;
  }

  private async current(): Promise<Worker> {
    if (this.closed) throw workerLost('closed');
    if (this.worker && !this.starting) return this.worker;
    if (!this.starting) throw workerLost('not running');
    return this.starting;
  }

  private call(request: DistributiveOmit<Request, 'id'>, worker: Worker): Promise<WireResult | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private async request(request: DistributiveOmit<Request, 'id'>): Promise<WireResult> {
    const worker = await this.current();
    return (await this.call(request, worker)) ?? { rows: [], affectedRows: undefined };
  }

  /** One statement through PGlite's extended protocol (parsed each time). */
  query(sql: string, params: readonly unknown[]): Promise<WireResult> {
    return this.request({ op: 'query', sql, params: [...params] });
  }

  /** A hot statement, prepared once in the worker under `name`. */
  prepared(name: string, text: string, params: readonly unknown[]): Promise<WireResult> {
    return this.request({ op: 'prepared', name, text, params: [...params] });
  }

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    const list = this.channels.get(channel) ?? [];
    list.push(onMessage);
    this.channels.set(channel, list);
    if (list.length === 1) await this.request({ op: 'listen', channel });
  }

  /** Ends the thread the way a crash would (no clean shutdown): for the tests of that path. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Closes the database cleanly (PostgreSQL's shutdown checkpoint), then ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = await this.current().catch(() => undefined);
    this.closed = true;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      await this.call({ op: 'close' }, worker);
    } catch {
      // It died while closing: nothing is left to flush.
    }
    await worker.terminate();
    await exited;
  }
}

/** Omit over each member of a union (request kinds keep their own fields). */
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
