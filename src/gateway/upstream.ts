import { Pool } from 'undici';

/** LLM answers can take minutes to start (long thinking) and stall between events. */
const UPSTREAM_TIMEOUT_MS = 600_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** Per-instance limits (ms); each defaults to the values above. */
export interface UpstreamTimeouts {
  connectTimeoutMs?: number | undefined;
  /** Until the response headers arrive. */
  firstByteTimeoutMs?: number | undefined;
  /** Longest silence inside a response body. */
  idleTimeoutMs?: number | undefined;
}

/**
 * One provider's base URL with a keep-alive connection pool: requests reuse warm connections
 * (no TCP/TLS handshake per call) and are never pipelined, so one slow stream cannot hold up
 * another. The base URL's path is kept in front of every request path.
 */
export class Upstream {
  readonly pool: Pool;
  readonly origin: string;
  private readonly basePath: string;

  constructor(baseUrl: string, timeouts: UpstreamTimeouts = {}) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: timeouts.firstByteTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
      bodyTimeout: timeouts.idleTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
      connect: { timeout: timeouts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS },
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
