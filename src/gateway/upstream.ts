import { Pool } from 'undici';

/** How long the gateway waits on a provider; LLM answers can take minutes to start (long thinking). */
export interface UpstreamTimeouts {
  /** TCP (and TLS) connection. */
  connectMs: number;
  /** From the request sent to the response headers. */
  firstByteMs: number;
  /** Between two chunks of the response body (a silent stream is cut after this). */
  idleMs: number;
}

/** The defaults (also AIBRIDGE_UPSTREAM_*_TIMEOUT's). */
const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 10_000,
  firstByteMs: 600_000,
  idleMs: 600_000,
};

/**
 * One provider's base URL with a keep-alive connection pool: requests reuse warm connections
 * (no TCP/TLS handshake per call) and are never pipelined, so one slow stream cannot hold up
 * another. The base URL's path is kept in front of every request path.
 */
export class Upstream {
  readonly pool: Pool;
  readonly origin: string;
  private readonly basePath: string;

  constructor(
    baseUrl: string,
    /** Also what a turn relayed to the provider's own WebSocket waits (websocket/upstream-socket.ts). */
    readonly timeouts: UpstreamTimeouts = DEFAULT_UPSTREAM_TIMEOUTS,
  ) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
      connect: { timeout: timeouts.connectMs },
    });
  }

  /** The upstream request path for a path under the provider prefix (query string included). */
  path(path: string, query: string): string {
    return `${this.basePath}${path}${query}`;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
