/**
 * The per-replica cap on concurrent gateway requests (`AIBRIDGE_MAX_CONCURRENCY`): beyond it
 * requests are refused at once (503) rather than queued, so an overloaded replica sheds load
 * instead of piling up memory and latency. 0 means no cap.
 */
export class ConcurrencyLimiter {
  private active = 0;

  constructor(private readonly max: number) {}

  tryAcquire(): boolean {
    if (this.max > 0 && this.active >= this.max) return false;
    this.active++;
    return true;
  }

  release(): void {
    this.active--;
  }
}

const WINDOW_MS = 1000;

/**
 * `AIBRIDGE_RATE_LIMIT` requests per token per one-second fixed window, as the reference does.
 * Counters live in memory and are dropped wholesale when the window turns, so memory stays
 * bounded by the tokens seen in one second.
 */
export class RateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(private readonly perSecond: number) {}

  /** 0 when the request may go ahead, otherwise the seconds to wait (for Retry-After). */
  take(key: string, now = Date.now()): number {
    if (this.perSecond <= 0) return 0;
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count <= this.perSecond) return 0;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }
}
