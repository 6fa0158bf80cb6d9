import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built CLI, run exactly as a user runs it. */
export const BIN = new URL('../bin/aibridge.js', import.meta.url).pathname;

/** Output and exit code of a finished CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `aibridge <args>` to completion with the given environment (added to a clean one),
 * `input` on its stdin (then closed). Its config directory is a fresh temporary one unless
 * the environment names one (XDG_CONFIG_HOME): a test never reads or writes the real login.
 */
export function runCli(args: string[], env: Record<string, string> = {}, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const ownConfig = env.XDG_CONFIG_HOME === undefined ? temporaryConfigDir() : undefined;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv({ ...(ownConfig ? { XDG_CONFIG_HOME: ownConfig } : {}), ...env }),
    });
    child.stdin.end(input);
    // Decoded as a stream: a character split across two chunks stays one character.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (ownConfig) rmSync(ownConfig, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
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

/** A new empty directory to serve as a CLI run's config directory. */
export function temporaryConfigDir(): string {
  return mkdtempSync(join(tmpdir(), 'aibridge-cli-config-'));
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, ...extra };
}

/** Why terminal tests cannot run here (util-linux `script` gives them a pseudo-terminal), if so. */
export const noTerminal = existsSync('/usr/bin/script') ? undefined : 'no /usr/bin/script (util-linux)';

/**
 * Runs `aibridge <args>` on a pseudo-terminal (stdin, stdout and stderr all a TTY of
 * `columns` columns) through util-linux `script`, typing `input` once the screen shows
 * `input.after` (typed earlier, the terminal would echo it before the program could turn
 * echo off). The output is what the terminal showed, stdout and stderr together, `\r\n` line ends.
 */
export function runInTerminal(
  args: string[],
  env: Record<string, string>,
  input?: { after: string; text: string },
  columns = 120,
): Promise<{ code: number | null; screen: string }> {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols ${columns} rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], {
      env: cleanEnv({ TERM: 'xterm-256color', ...env }),
    });
    let screen = '';
    let typed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const show = (chunk: string) => {
      screen += chunk;
      if (input && !typed && screen.includes(input.after)) {
        typed = true;
        child.stdin.write(input.text);
      }
    };
    child.stdout.on('data', show);
    child.stderr.on('data', show);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}
