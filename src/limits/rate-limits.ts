import { Gauge, type Registry } from 'prom-client';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Actor } from '../auth/roles.js';
import { METRIC_PREFIX } from '../metrics.js';
import { ReplicaShare, shareOf } from './fallback.js';
import type { LimitBackend, LimitStore } from './store.js';

/** Which limit refused a request: a token's per-second or a person's per-minute. */
export type LimitScope = 'token' | 'user';

/** Why a request was refused, with what the 429's headers tell the client. */
export interface LimitRefusal {
  scope: LimitScope;
  /** Requests allowed per window. */
  limit: number;
  windowS: number;
  /** Until the window ends and the request may be retried. */
  retryAfterMs: number;
}

/** What the limits are configured to, and what tells them how many replicas share them. */
export interface RateLimitOptions {
  /** `AIBRIDGE_RATE_LIMIT`: requests per second per token (0 = none). */
  tokenPerSecond: number;
  /** `AIBRIDGE_USER_RATE_LIMIT`: requests per minute per user (0 = none). */
  userPerMinute: number;
  store: LimitStore;
  /** How many replicas share the limits, for the fallback share. */
  replicas: () => number;
  /** True when the store is known to be unreachable: skip it and answer with the share at once. */
  storeDown?: () => boolean;
  metrics: Registry;
}

interface Limit {
  scope: LimitScope;
  points: number;
  windowS: number;
  limiter: RateLimiterAbstract;
  share: ReplicaShare;
}

/**
 * The gateway's rate limits, counted in one store shared by every replica (rate-limiter-flexible
 * over PostgreSQL, or Redis), so three replicas let through what one would. A key over its
 * limit is blocked in this replica's memory for the rest of the window; while the store is
 * unreachable each replica enforces its share (limit ÷ replicas), says so in
 * `aibridge_rate_limit_degraded` and in `/readyz`.
 */
export class RateLimits {
  private readonly limits: Limit[] = [];

  constructor(private readonly options: RateLimitOptions) {
    if (options.tokenPerSecond > 0) this.limits.push(this.limit('token', options.tokenPerSecond, 1));
    if (options.userPerMinute > 0) this.limits.push(this.limit('user', options.userPerMinute, 60));
    const degraded = () => (this.degraded ? 1 : 0);
    const gauge = (name: string, help: string, collect: () => number) => {
      const full = `${METRIC_PREFIX}${name}`;
      options.metrics.removeSingleMetric(full);
      new Gauge({
        name: full,
        help,
        registers: [options.metrics],
        collect() {
          this.set(collect());
        },
      });
    };
    gauge(
      'rate_limit_degraded',
      'Whether this replica enforces only its share of the rate limits (limit ÷ replicas) because their store is unreachable.',
      degraded,
    );
    gauge('rate_limit_replicas', 'Replicas this replica believes share the rate limits.', options.replicas);
  }

  /** Whether any limit is configured (none: the gateway skips admission entirely). */
  get enabled(): boolean {
    return this.limits.length > 0;
  }

  /** True while a limit's store failed recently and the replica's share answers instead. */
  get degraded(): boolean {
    return this.limits.some((limit) => limit.share.inUse);
  }

  /** For `/readyz`: where the limits count, and whether this replica is on its share. */
  status(): { store: LimitBackend; degraded: boolean; replicas: number; limits: Record<string, object> } {
    const replicas = this.options.replicas();
    const limits: Record<string, object> = {};
    for (const limit of this.limits) {
      limits[limit.scope] = {
        limit: limit.points,
        windowSeconds: limit.windowS,
        replicaShare: shareOf(limit.points, replicas),
      };
    }
    return { store: this.options.store.backend, degraded: this.degraded, replicas, limits };
  }

  /** Counts one request against the token's and the user's limits; a refusal says which. */
  async admit(actor: Actor): Promise<LimitRefusal | undefined> {
    if (this.limits.length === 0) return undefined;
    const keys: Record<LimitScope, string> = { token: actor.apiKeyId, user: actor.userId };
    const results = await Promise.all(this.limits.map((limit) => this.take(limit, keys[limit.scope])));
    return results.find((refusal) => refusal !== undefined);
  }

  private async take(limit: Limit, key: string): Promise<LimitRefusal | undefined> {
    const limiter = this.options.storeDown?.() ? limit.share : limit.limiter;
    try {
      await limiter.consume(key);
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return {
        scope: limit.scope,
        limit: limit.points,
        windowS: limit.windowS,
        retryAfterMs: Math.max(error.msBeforeNext, 1),
      };
    }
  }

  private limit(scope: LimitScope, points: number, windowS: number): Limit {
    const share = new ReplicaShare(scope, points, windowS, this.options.replicas);
    const limiter = this.options.store.create({ name: scope, points, durationS: windowS, insurance: share });
    return { scope, points, windowS, limiter, share };
  }
}
