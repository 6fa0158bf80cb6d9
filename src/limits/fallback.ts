import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** How long after its last use the fallback still counts as in use (for the metric, /readyz). */
const DEGRADED_FOR_MS = 5000;

/**
 * The limit a replica enforces alone while the shared store is unreachable: its share,
 * `limit ÷ replicas` (at least 1), so the replicas together still let about `limit` through.
 * rate-limiter-flexible calls it as the store limiter's `insuranceLimiter`; each call means the
 * store just failed, which is how the replica knows it is degraded.
 */
export class ReplicaShare extends RateLimiterMemory {
  private lastUsedAt = Number.NEGATIVE_INFINITY;

  constructor(
    name: string,
    private readonly limit: number,
    durationS: number,
    private readonly replicas: () => number,
  ) {
    super({ keyPrefix: `share:${name}`, points: limit, duration: durationS });
  }

  override consume(
    key: string | number,
    points?: number,
    options?: { [key: string]: unknown },
  ): Promise<RateLimiterRes> {
    this.used();
    return super.consume(key, points, options);
  }
  /** Token limits add a finished interception's tokens with `penalty` (never refused). */
  override penalty(
    key: string | number,
    points?: number,
    options?: { [key: string]: unknown },
  ): Promise<RateLimiterRes> {
    this.used();
    return super.penalty(key, points, options);
  }
  /** Token limits read a window's consumption at admission with `get`. */
  override get(key: string | number, options?: { [key: string]: unknown }): Promise<RateLimiterRes | null> {
    this.used();
    return super.get(key, options);
  }
  /** This replica's share of the limit now (it follows the replica count). */
  get share(): number {
    return shareOf(this.limit, this.replicas());
  }
  private used(): void {
    this.lastUsedAt = Date.now();
    this.points = this.share;
  }

  /** True while the store failed within the last few seconds. */
  get inUse(): boolean {
    return Date.now() - this.lastUsedAt < DEGRADED_FOR_MS;
  }
}

/** One replica's part of a limit shared by `replicas`. */
export function shareOf(limit: number, replicas: number): number {
  return Math.max(1, Math.floor(limit / Math.max(1, replicas)));
}
