import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'aibridge.js');

/** A real `aibridge server` process, with its logs kept for the assertions. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything logged so far (JSON lines on stderr). */
  logs(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts the server; resolves once it prints its banner (it is listening); `onLog` sees its logs grow. */
export function startGateway(
  env: Record<string, string>,
  onLog: (logs: string) => void = () => {},
): Promise<GatewayProcess> {
  return new Promise((resolve, reject) => {
    const { PATH, HOME, TMPDIR } = process.env;
    const child = spawn(process.execPath, [BIN, 'server'], {
      env: { PATH, HOME, TMPDIR, AIBRIDGE_HTTP_ADDRESS: '127.0.0.1:0', ...env },
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      onLog(stderr);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const url = /Dashboard\s+(http:\/\/\S+?)\/\s/.exec(stdout)?.[1];
      if (url && /\n\n$/.test(stdout)) resolve({ url, child, logs: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

/** Log lines with this message. */
export function logged(process: GatewayProcess, message: string): number {
  return process
    .logs()
    .split('\n')
    .filter((line) => line.includes(`"msg":${JSON.stringify(message)}`)).length;
}
