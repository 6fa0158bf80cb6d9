import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { TokenClientStore, type TokenClientUse } from '../store/token-clients.js';
import { clientVersion } from './client-version.js';

/** How often pending uses are written: the page's "last used" is at most this stale (plus a flush). */
const CLIENT_USE_FLUSH_MS = 10_000;
/** A (token, client, User-Agent) seen again within this is not noted again. */
const GRANULARITY_MS = 60_000;
/** Bounds on the maps, so a flood of distinct User-Agents cannot grow memory without limit. */
const MAX_ENTRIES = 10_000;
/** User-Agent characters kept in a key (versions come from the start of it). */
const MAX_AGENT = 200;

interface PendingUse {
  apiKeyId: string;
  client: string;
  userAgent: string;
  at: Date;
}

/**
 * Which client used which token, and when last, for the connect page. It sits on the gateway's
 * hot path, so a request costs one Map lookup (and a set at most once a minute per token,
 * client and User-Agent); the uses are parsed and upserted in one statement every
 * CLIENT_USE_FLUSH_MS and at shutdown. No database write happens per request; what the page
 * shows lags by up to the flush interval, and a use in the last minute of a repeated pair may
 * move the time by less than that minute. Uses still pending when a replica crashes are lost
 * (the next request notes them again).
 */
export class ClientUseLog {
  private readonly store: TokenClientStore;
  private readonly noted = new Map<string, number>();
  private pending = new Map<string, PendingUse>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    db: Database,
    private readonly log: Logger,
    private readonly flushMs = CLIENT_USE_FLUSH_MS,
  ) {
    this.store = new TokenClientStore(db.kysely);
  }

  /** Starts the periodic flush (the timer never keeps the process alive). */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Notes that a token was used by a client; called once per bridged request. */
  note(apiKeyId: string, client: string, userAgent: string | undefined): void {
    const agent = (userAgent ?? '').slice(0, MAX_AGENT);
    const key = `${apiKeyId}\n${client}\n${agent}`;
    const now = Date.now();
    const last = this.noted.get(key);
    if (last !== undefined && now - last < GRANULARITY_MS) return;
    if (this.noted.size >= MAX_ENTRIES) this.noted.clear();
    this.noted.set(key, now);
    if (this.pending.size < MAX_ENTRIES || this.pending.has(key)) {
      this.pending.set(key, { apiKeyId, client, userAgent: agent, at: new Date(now) });
    }
  }

  /** Writes what was noted since the last flush; a failure is logged and those uses dropped. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const uses: TokenClientUse[] = [...batch.values()].map((use) => ({
      apiKeyId: use.apiKeyId,
      client: use.client,
      clientVersion: clientVersion(use.client, use.userAgent),
      at: use.at,
    }));
    try {
      await this.store.record(uses);
    } catch (error) {
      this.log.warn({ err: error, uses: uses.length }, 'could not record which clients used which tokens');
    }
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
