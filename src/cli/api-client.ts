import type { Command } from 'commander';
import { type ErrorBody, errorMessage } from '../errors.js';
import { CliError } from './output.js';

/** Where the server is and who is asking: flags first, then env vars. */
export interface ApiFlags {
  url?: string;
  token?: string;
}

/** Adds `--url` and `--token`, the flags of every command that talks to a running server. */
export function addApiFlags(command: Command): Command {
  return command
    .option('--url <url>', 'aibridge server (AIBRIDGE_URL, default http://127.0.0.1:3000)')
    .option('--token <token>', 'API token (AIBRIDGE_TOKEN)');
}

/** What an error answer may hold: the reference envelope, read leniently (any member may be missing). */
type ErrorReply = Partial<ErrorBody>;

/** A small client of the management API for the CLI: GET with a token, errors as one line. */
export class ApiClient {
  private readonly base: string;
  private readonly token: string;

  constructor(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env) {
    this.base = (flags.url ?? env.AIBRIDGE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
    const token = flags.token ?? env.AIBRIDGE_TOKEN;
    if (!token) throw new CliError('no API token: pass --token or set AIBRIDGE_TOKEN', 2);
    this.token = token;
  }

  /** GETs `path` with the query parameters that are set, and returns the parsed JSON body. */
  async get(path: string, query: Record<string, string | undefined> = {}): Promise<unknown> {
    const url = new URL(`${this.base}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') url.searchParams.set(key, value);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { 'Coder-Session-Token': this.token, accept: 'application/json' },
      });
    } catch (error) {
      throw new CliError(`cannot reach ${this.base}: ${errorMessage((error as Error).cause ?? error)}`);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(`GET ${url.pathname}: ${response.status} ${describe(text)}`);
    return JSON.parse(text) as unknown;
  }
}

function describe(text: string): string {
  try {
    const body = JSON.parse(text) as ErrorReply;
    const parts = [
      body.message,
      body.detail,
      ...(body.validations ?? []).map((v) => `${v.field}: ${v.detail}`),
    ];
    return parts.filter(Boolean).join(' ');
  } catch {
    return text.trim();
  }
}

/** Prints a value as indented JSON, as the reference CLI does. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
