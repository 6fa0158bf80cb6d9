import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './faults/cluster.js';

const BIN = process.env.AIBRIDGE_TEST_REDIS_BIN ?? '/usr/bin/redis-server';

/** Why no private Redis can run here (no binary), or undefined when it can. */
export const redisUnavailable: string | undefined = existsSync(BIN) ? undefined : `no ${BIN}`;

/**
 * A Redis of the test's own: `redis-server` on a free port, nothing saved to disk, stopped
 * (and its data gone) when the test is done. It never touches a Redis the machine runs.
 */
export class PrivateRedis {
  private readonly exited: Promise<unknown>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((done) => child.once('close', done));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port?: number): Promise<PrivateRedis> {
    const chosen = port ?? (await freePort());
    const child = spawn(BIN, [
      '--port',
      String(chosen),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('Ready to accept connections')) resolve();
      });
      child.on('close', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    return new PrivateRedis(child, chosen);
  }

  /** Stops the server and resolves once it has exited. */
  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
