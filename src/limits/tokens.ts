import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { ReplicaShare } from './fallback.js';

/** How often the tokens of finished interceptions are added to the store (one write per key). */
const FLUSH_MS = 250;
/** How old this replica's view of a key's window may get before admission reads it again. */
const FRESH_MS = 1000;

/** A token limit: `points` tokens per window, counted in `limiter`, `share` while it is away. */
export interface TokenLimit {
  points: number;
  windowS: number;
  limiter: RateLimiterAbstract;
  share: ReplicaShare;
}

/** What this replica knows of one key's window. */
interface Window {
  limit: TokenLimit;
  key: string;
  /** Tokens left at the store's last answer; undefined: no window was open then. */
  remaining: number | undefined;
  expiresAt: number;
  readAt: number;
  /** Tokens of finished interceptions not yet sent to the store. */
  pending: number;
  /** Tokens sent and not yet answered. */
  sending: number;
  reading: Promise<void> | undefined;
}

/**
 * Tokens-per-minute windows. Tokens are known only once a response is over, so admission checks
 * what the window has consumed (refusing once nothing is left) and an interception's tokens are
 * consumed when it ends: added here in memory at once (this replica refuses the next request
 * without waiting) and sent to the shared store every `FLUSH_MS`, one `penalty` per key with the
 * sum, never a round trip per request. Admission re-reads a key's window at most every
 * `FRESH_MS` per replica. So a window can overshoot by the tokens of requests already in flight
 * when it filled, plus what other replicas admit before they see it (about FLUSH_MS + FRESH_MS).
 */
export class TokenWindows {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly flushMs = FLUSH_MS,
    private readonly freshMs = FRESH_MS,
  ) {}

  /** Undefined when the key's window has room; otherwise the milliseconds until it frees. */
  async check(limit: TokenLimit, key: string, storeDown = false): Promise<number | undefined> {
    const window = this.window(limit, key);
    if (Date.now() - window.readAt >= this.freshMs) await this.read(window, storeDown);
    let wait = this.exhausted(window);
    if (wait !== undefined && window.pending > 0) {
      // Over on this replica's own count: send it now, so the store says when the window ends.
      await this.send(window);
      wait = this.exhausted(window);
    }
    return wait;
  }

  /** Consumes a finished interception's tokens (in memory now, in the store at the next flush). */
  spend(limit: TokenLimit, key: string, tokens: number): void {
    if (tokens > 0) this.window(limit, key).pending += tokens;
  }

  /** Sends every key's pending tokens and forgets windows long over; shutdown calls it last. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    const now = Date.now();
    const sends: Promise<void>[] = [];
    for (const [id, window] of this.windows) {
      if (window.pending > 0) sends.push(this.send(window));
      else if (window.sending === 0 && !window.reading && window.expiresAt < now - this.freshMs) {
        this.windows.delete(id);
      }
    }
    this.flushing = Promise.all(sends).then(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (this.windows.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops the flush timer after sending what is pending. */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private window(limit: TokenLimit, key: string): Window {
    // By limit as well: a group whose limit changed counts the same store key under its new limit.
    const id = `${limit.limiter.keyPrefix}:${limit.points}:${key}`;
    let window = this.windows.get(id);
    if (!window) {
      window = {
        limit,
        key,
        remaining: undefined,
        expiresAt: 0,
        readAt: Number.NEGATIVE_INFINITY,
        pending: 0,
        sending: 0,
        reading: undefined,
      };
      this.windows.set(id, window);
      if (!this.timer) {
        this.timer = setInterval(() => void this.flush(), this.flushMs);
        this.timer.unref();
      }
    }
    return window;
  }

  private exhausted(window: Window): number | undefined {
    const now = Date.now();
    const open = window.remaining !== undefined && window.expiresAt > now;
    const left = open ? (window.remaining ?? 0) : this.fullWindow(window.limit);
    if (left - window.pending - window.sending > 0) return undefined;
    return open ? window.expiresAt - now : window.limit.windowS * 1000;
  }

  /** A fresh window's tokens: the limit, or this replica's share while the store is away. */
  private fullWindow(limit: TokenLimit): number {
    return limit.share.inUse ? limit.share.share : limit.points;
  }

  /** Reads the window from the store (the share when the store is known to be down). */
  private async read(window: Window, storeDown: boolean): Promise<void> {
    window.reading ??= (storeDown ? window.limit.share : window.limit.limiter)
      .get(window.key)
      .then((res) => this.answered(window, res))
      .catch(() => {
        // Neither the store nor the share answered: keep what was known.
      })
      .finally(() => {
        window.readAt = Date.now();
        window.reading = undefined;
      });
    await window.reading;
  }

  private async send(window: Window): Promise<void> {
    const tokens = window.pending;
    if (tokens === 0) return;
    window.pending = 0;
    window.sending += tokens;
    try {
      this.answered(window, await window.limit.limiter.penalty(window.key, tokens));
      window.readAt = Date.now();
    } catch {
      window.pending += tokens;
    } finally {
      window.sending -= tokens;
    }
  }

  private answered(window: Window, res: RateLimiterRes | null): void {
    if (res === null || res.msBeforeNext <= 0) {
      window.remaining = undefined;
      return;
    }
    window.remaining = res.remainingPoints;
    window.expiresAt = Date.now() + res.msBeforeNext;
  }
}
