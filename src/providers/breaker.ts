import type { BreakerSettings } from './instance.js';

/** Where a breaker stands; the state gauge reads 0, 0.5 and 1. */
export type BreakerState = 'closed' | 'half-open' | 'open';

/** What happens to the breaker's counters and gauges, for metrics. */
export interface BreakerEvents {
  tripped(): void;
  rejected(): void;
}

/**
 * A circuit breaker with gobreaker's semantics, as the reference uses it: closed, it counts
 * consecutive failures (reset every `intervalMs`) and opens at `failureThreshold`; open, it
 * refuses for `timeoutMs`; then half-open, it lets `maxRequests` requests through — one
 * failure opens it again, `maxRequests` successes close it. Time comes from `now` so tests
 * step it instead of waiting.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private successes = 0;
  private admitted = 0;
  private since: number;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly events: BreakerEvents,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  get state(): BreakerState {
    this.advance();
    return this.current;
  }

  /** Seconds until an open breaker probes again (for Retry-After). */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.since + this.settings.timeoutMs - this.now()) / 1000));
  }

  /** May a request go upstream now? Counts a rejection when not. */
  allow(): boolean {
    this.advance();
    if (
      this.current === 'open' ||
      (this.current === 'half-open' && this.admitted >= this.settings.maxRequests)
    ) {
      this.events.rejected();
      return false;
    }
    if (this.current === 'half-open') this.admitted++;
    return true;
  }

  /** The outcome of a request `allow` let through. */
  record(failed: boolean): void {
    this.advance();
    if (this.current === 'open') return;
    if (failed) {
      this.failures++;
      if (this.current === 'half-open' || this.failures >= this.settings.failureThreshold) this.trip();
      return;
    }
    if (this.current === 'half-open') {
      this.successes++;
      if (this.successes >= this.settings.maxRequests) this.enter('closed');
      return;
    }
    this.failures = 0;
  }

  private trip(): void {
    this.enter('open');
    this.events.tripped();
  }

  private advance(): void {
    const now = this.now();
    if (this.current === 'closed' && now - this.since >= this.settings.intervalMs) this.enter('closed');
    else if (this.current === 'open' && now - this.since >= this.settings.timeoutMs) this.enter('half-open');
  }

  private enter(state: BreakerState): void {
    this.current = state;
    this.since = this.now();
    this.failures = 0;
    this.successes = 0;
    this.admitted = 0;
  }
}

/** Statuses that count as failures (the reference's list; Anthropic adds its 529 "overloaded"). */
export function isBreakerFailure(status: number, anthropic: boolean): boolean {
  return status === 429 || status === 503 || status === 504 || (anthropic && status === 529);
}
