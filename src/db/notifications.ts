import pg from 'pg';
import type { PGliteWorker } from './pglite-worker/client.js';

/** Subscriptions to NOTIFY channels, whichever PostgreSQL the process runs on. */
export interface Notifications {
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** PGlite's LISTEN, forwarded from its worker (which re-subscribes when it is started again). */
export class PGliteNotifications implements Notifications {
  constructor(private readonly pglite: PGliteWorker) {}
  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    await this.pglite.listen(channel, onMessage);
  }
  async close(): Promise<void> {}
}

/** Backoff between reconnection attempts: doubles from the first to the last, with jitter. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 15_000;

/**
 * LISTEN needs a connection of its own, outside the pool. When the server drops it (restart,
 * `pg_terminate_backend`, network), exactly one replacement is made: node-postgres may emit
 * `error` and `end` (and more than one `error`) for one loss, so events from any client but the
 * current one are ignored and a reconnection already scheduled or running absorbs new ones.
 * Attempts back off up to 15 s; a failed attempt's client is ended before the next.
 */
export class PgNotifications implements Notifications {
  private client: pg.Client | undefined;
  /** The attempt under way (connect + LISTEN); also what `listen` waits on meanwhile. */
  private connecting: Promise<pg.Client> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly handlers = new Map<string, Array<(payload: string) => void>>();
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    /** Told of each lost connection (for logs); never throws. */
    private readonly onLost: (error: unknown) => void = () => {},
  ) {}

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    const list = this.handlers.get(channel) ?? [];
    list.push(onMessage);
    this.handlers.set(channel, list);
    if (list.length > 1) return;
    if (this.client) {
      await this.client.query(`LISTEN ${quoteIdent(channel)}`);
      return;
    }
    // A connection being made LISTENs on every registered channel, this one included.
    await (this.connecting ?? this.connect());
  }

  private connect(): Promise<pg.Client> {
    const attempt = (async () => {
      const client = new pg.Client(this.config);
      client.on('notification', (msg) => {
        if (client !== this.client) return;
        for (const handler of this.handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
      });
      const lost = (error?: unknown) => this.lost(client, error);
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        client.removeAllListeners('end');
        client.end().catch(() => {});
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        throw new Error('notifications closed');
      }
      this.client = client;
      this.failures = 0;
      return client;
    })();
    this.connecting = attempt;
    attempt.then(
      () => {
        if (this.connecting === attempt) this.connecting = undefined;
      },
      () => {
        if (this.connecting === attempt) this.connecting = undefined;
        this.scheduleReconnect();
      },
    );
    return attempt;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.closed) return;
    this.onLost(error);
    this.scheduleReconnect();
  }

  /** Single flight: at most one timer or attempt at a time. */
  private scheduleReconnect(): void {
    if (this.closed || this.client || this.connecting || this.retryTimer) return;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.failures);
    this.failures++;
    const delay = base / 2 + Math.random() * (base / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed) return;
      this.connect().catch(() => {
        // connect() already scheduled the next attempt.
      });
    }, delay);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    client?.removeAllListeners('end');
    await client?.end().catch(() => {});
  }
}

/** Quotes an identifier for use in SQL text or a connection option (schema names in tests). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
