import type { Command } from 'commander';
import { type ErrorBody, errorMessage } from '../errors.js';
import { CliError, UsageError } from './errors.js';
import { readLogin } from './login-store.js';

/** Where the server is and who is asking, when a command is told rather than using the login. */
export interface ApiFlags {
  url?: string;
  token?: string;
}

/** Adds `--url` and `--token`, the flags of every command that talks to a server. */
export function addApiFlags(command: Command): Command {
  return command
    .option('--url <url>', 'aibridge server URL (default: AIBRIDGE_URL, else the stored login)')
    .option('--token <token>', 'API token (default: AIBRIDGE_TOKEN, else the stored login)');
}

/** Where a setting came from, for whoami and error messages. */
export type Source = 'flag' | 'environment' | 'login';

/** The server and token a command uses, and where each came from. */
export interface Connection {
  url: string;
  token: string;
  urlFrom: Source;
  tokenFrom: Source;
}

/** A server URL as stored and compared: http(s), no trailing slash. */
export function normaliseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`invalid server URL "${text}": expected e.g. http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid server URL "${text}": it must start with http:// or https://`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Whether any server is named (flag, environment or login), i.e. commands talk to the API. */
export async function serverNamed(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return Boolean(flags.url || env.AIBRIDGE_URL || (await readLogin()));
}

const NOT_LOGGED_IN =
  'not logged in: run `aibridge login <url>` (or pass --url and --token, or set AIBRIDGE_URL and AIBRIDGE_TOKEN)';

/**
 * Precedence, for the URL and the token each: the flag, then the environment variable, then
 * the stored login. The stored token is only ever sent to the stored URL: naming another
 * server needs its own token.
 */
export async function resolveConnection(
  flags: ApiFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  const login = await readLogin();
  const named: Array<[string | undefined, Source]> = [
    [flags.url, 'flag'],
    [env.AIBRIDGE_URL || undefined, 'environment'],
    [login?.url, 'login'],
  ];
  const [rawUrl, urlFrom] = named.find(([value]) => value) ?? [undefined, 'login'];
  if (!rawUrl) throw new UsageError(NOT_LOGGED_IN);
  const url = normaliseUrl(rawUrl);
  const tokens: Array<[string | undefined, Source]> = [
    [flags.token, 'flag'],
    [env.AIBRIDGE_TOKEN || undefined, 'environment'],
    [login && normaliseUrl(login.url) === url ? login.token : undefined, 'login'],
  ];
  const [token, tokenFrom] = tokens.find(([value]) => value) ?? [undefined, 'login'];
  if (!token) {
    throw new UsageError(
      `no API token for ${url}: pass --token, set AIBRIDGE_TOKEN or run \`aibridge login ${url}\``,
    );
  }
  return { url, token, urlFrom, tokenFrom };
}

/** What an error answer may hold: the reference envelope, read leniently (any member may be missing). */
type ErrorReply = Partial<ErrorBody>;

/** What a request carries besides its path. */
export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** A small client of the REST API: the token on every request, every failure as one line. */
export class ApiClient {
  constructor(readonly connection: Connection) {}

  /** A client for the server the flags, environment or login name. */
  static async connect(flags: ApiFlags): Promise<ApiClient> {
    return new ApiClient(await resolveConnection(flags));
  }

  get url(): string {
    return this.connection.url;
  }

  /** GETs `path` with the query parameters that are set; returns the parsed JSON body. */
  get<T>(path: string, query: RequestOptions['query'] = {}): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /** Sends a request and returns its parsed JSON body (undefined for 204). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { response, url } = await this.send(method, path, options, 'application/json');
    const text = await response.text();
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        `${method} ${url.pathname}: the server at ${this.connection.url} did not answer JSON (is it an aibridge server?)`,
      );
    }
  }

  /** GETs `path` and returns its body unread, for downloads too large to hold (a spend export). */
  async download(path: string, query: RequestOptions['query'] = {}): Promise<ReadableStream<Uint8Array>> {
    const { response } = await this.send('GET', path, { query }, '*/*');
    if (!response.body) throw new CliError(`GET ${path}: the server sent no body`);
    return response.body;
  }

  /** Sends a request; a failure to connect or an error status becomes a CliError of one line. */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    accept: string,
  ): Promise<{ response: Response; url: URL }> {
    const url = new URL(`${this.connection.url}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { 'Coder-Session-Token': this.connection.token, accept };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the aibridge server at ${this.connection.url} (${networkReason(error)}): is it running, and is the URL right?`,
      );
    }
    if (!response.ok) {
      const hint =
        response.status === 401 ? ` (run \`aibridge login ${this.connection.url}\` with a valid token)` : '';
      throw new CliError(
        `${method} ${url.pathname}: ${response.status} ${describe(await response.text())}${hint}`,
      );
    }
    return { response, url };
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timed out';
    default:
      return errorMessage(cause ?? error);
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
    return text.trim().replace(/\s+/g, ' ').slice(0, 200);
  }
}
