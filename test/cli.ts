import { type ChildProcess, spawn } from 'node:child_process';

/** The built CLI, run exactly as a user runs it. */
export const BIN = new URL('../bin/aibridge.js', import.meta.url).pathname;

/** Output and exit code of a finished CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `aibridge <args>` to completion with the given environment (added to a clean one). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running `aibridge server` child process, with its banner parsed. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string | undefined;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts `aibridge server` and waits for the banner that says where it listens. */
export function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server'], {
      env: cleanEnv({ AIBRIDGE_HTTP_ADDRESS: '127.0.0.1:0', ...env }),
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const url = /Dashboard\s+(http:\/\/\S+?)\/\s/.exec(stdout)?.[1];
      if (url && /\n\n$/.test(stdout)) {
        const token = /shown only this once:\n\n\s+(\S+)/.exec(stdout)?.[1];
        resolve({ child, url, token, stdout: () => stdout, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, ...extra };
}
