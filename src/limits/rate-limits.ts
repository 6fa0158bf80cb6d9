import { Gauge, type Registry } from 'prom-client';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Actor } from '../auth/roles.js';
import { METRIC_PREFIX } from '../metrics.js';
import { ReplicaShare, shareOf } from './fallback.js';
import type { GroupLimitDirectory } from './groups.js';
import type { LimitBackend, LimitStore } from './store.js';
import { type TokenLimit, TokenWindows } from './tokens.js';

/** Whose limit refused a request: a token's, a person's, or a group's shared pool. */
export type LimitScope = 'token' | 'user' | 'group';
/** What a limit counts: requests, or input + output tokens. */
export type LimitUnit = 'requests' | 'tokens';

/** Why a request was refused, with what the 429's headers tell the client. */
export interface LimitRefusal {
  scope: LimitScope;
  unit: LimitUnit;
  /** The group whose pool is used up (scope `group`). */
  group?: string | undefined;
  /** Requests or tokens allowed per window. */
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
  /** `AIBRIDGE_USER_TOKENS_PER_MINUTE`: input + output tokens per minute per user (0 = none). */
  userTokensPerMinute?: number | undefined;
  /** The groups with limits each user is in (absent: no group limits). */
  groups?:
    | (Pick<GroupLimitDirectory, 'of' | 'count'> & Partial<Pick<GroupLimitDirectory, 'refresh'>>)
    | undefined;
  store: LimitStore;
  /** How many replicas share the limits, for the fallback share. */
  replicas: () => number;
  /** True when the store is known to be unreachable: skip it and answer with the share at once. */
  storeDown?: () => boolean;
  metrics: Registry;
  /** The seconds of a "minute" window (tests shorten it; 60 otherwise). */
  minuteS?: number | undefined;
  /** Where token windows are kept (tests pass one with shorter intervals). */
  tokens?: TokenWindows | undefined;
}

interface Limit extends TokenLimit {
  scope: LimitScope;
  unit: LimitUnit;
}

/**
 * The gateway's rate limits, counted in one store shared by every replica (rate-limiter-flexible
 * over PostgreSQL, or Redis), so three replicas let through what one would. A key over its
 * limit is blocked in this replica's memory for the rest of the window; while the store is
 * unreachable each replica enforces its share (limit ÷ replicas), says so in
 * `aibridge_rate_limit_degraded` and in `/readyz`.
 */
export class RateLimits {
  /** The limits every request meets: the token's per second, the person's per minute. */
  private readonly fixed: Limit[] = [];
  private readonly userTokens: Limit | undefined;
  /** Group limits, one limiter per unit and size (groups of the same size share it, by key). */
  private readonly groupLimits = new Map<string, Limit>();
  private readonly minuteS: number;
  private readonly tokens: TokenWindows;

  constructor(private readonly options: RateLimitOptions) {
    this.minuteS = options.minuteS ?? 60;
    this.tokens = options.tokens ?? new TokenWindows();
    if (options.tokenPerSecond > 0)
      this.fixed.push(this.limit('token', 'requests', options.tokenPerSecond, 1));
    if (options.userPerMinute > 0) {
      this.fixed.push(this.limit('user', 'requests', options.userPerMinute, this.minuteS));
    }
    const userTokens = options.userTokensPerMinute ?? 0;
    this.userTokens = userTokens > 0 ? this.limit('user', 'tokens', userTokens, this.minuteS) : undefined;
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
    return this.fixed.length > 0 || this.userTokens !== undefined || (this.options.groups?.count ?? 0) > 0;
  }

  /** True while a limit's store failed recently and the replica's share answers instead. */
  get degraded(): boolean {
    return [...this.fixed, ...(this.userTokens ? [this.userTokens] : []), ...this.groupLimits.values()].some(
      (limit) => limit.share.inUse,
    );
  }

  /** For `/readyz`: where the limits count, and whether this replica is on its share. */
  status(): { store: LimitBackend; degraded: boolean; replicas: number; limits: Record<string, object> } {
    const replicas = this.options.replicas();
    const limits: Record<string, object> = {};
    for (const limit of [...this.fixed, ...(this.userTokens ? [this.userTokens] : [])]) {
      limits[limit.unit === 'tokens' ? `${limit.scope}Tokens` : limit.scope] = {
        limit: limit.points,
        windowSeconds: limit.windowS,
        replicaShare: shareOf(limit.points, replicas),
      };
    }
    const groups = this.options.groups?.count ?? 0;
    if (groups > 0) limits.groups = { withLimits: groups, windowSeconds: this.minuteS };
    return { store: this.options.store.backend, degraded: this.degraded, replicas, limits };
  }

  /**
   * Admits one request: first the token windows (the person's and each of their groups'; a read,
   * usually from memory), then counts it against the token's, the person's and each group's
   * request limits. A person in several groups needs room in every one; a refusal says which.
   */
  async admit(actor: Actor): Promise<LimitRefusal | undefined> {
    if (!this.enabled) return undefined;
    const groups = this.options.groups?.of(actor.userId) ?? [];
    const down = this.options.storeDown?.() === true;
    const tokenChecks: Array<Promise<LimitRefusal | undefined>> = [];
    const checkTokens = async (limit: Limit, key: string, group?: string) => {
      const wait = await this.tokens.check(limit, key, down);
      return wait === undefined ? undefined : this.refusal(limit, wait, group);
    };
    if (this.userTokens) tokenChecks.push(checkTokens(this.userTokens, actor.userId));
    for (const group of groups) {
      if (group.tokensPerMinute === null) continue;
      tokenChecks.push(checkTokens(this.groupLimit('tokens', group.tokensPerMinute), group.id, group.name));
    }
    const overTokens = (await Promise.all(tokenChecks)).find((refusal) => refusal !== undefined);
    if (overTokens) return overTokens;
    const takes = this.fixed.map((limit) =>
      this.take(limit, limit.scope === 'token' ? actor.apiKeyId : actor.userId),
    );
    for (const group of groups) {
      if (group.requestsPerMinute === null) continue;
      takes.push(this.take(this.groupLimit('requests', group.requestsPerMinute), group.id, group.name));
    }
    return (await Promise.all(takes)).find((refusal) => refusal !== undefined);
  }

  /**
   * An interception ended having used `tokens` (input + output): consumed from the person's and
   * their groups' token windows, in memory now and in the store at the next flush.
   */
  spend(actor: Actor, tokens: number): void {
    if (tokens <= 0) return;
    if (this.userTokens) this.tokens.spend(this.userTokens, actor.userId, tokens);
    for (const group of this.options.groups?.of(actor.userId) ?? []) {
      if (group.tokensPerMinute !== null)
        this.tokens.spend(this.groupLimit('tokens', group.tokensPerMinute), group.id, tokens);
    }
  }

  /**
   * Re-reads the groups' limits now: the API calls it after a change, so the replica that made
   * it applies it before answering (the others follow the trigger's NOTIFY, or the poll).
   */
  async groupsChanged(): Promise<void> {
    await this.options.groups?.refresh?.();
  }

  /** Sends the tokens not yet counted in the store (shutdown). */
  close(): Promise<void> {
    return this.tokens.close();
  }

  private async take(limit: Limit, key: string, group?: string): Promise<LimitRefusal | undefined> {
    const limiter = this.options.storeDown?.() ? limit.share : limit.limiter;
    try {
      await limiter.consume(key);
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return this.refusal(limit, error.msBeforeNext, group);
    }
  }

  private refusal(limit: Limit, waitMs: number, group: string | undefined): LimitRefusal {
    return {
      scope: limit.scope,
      unit: limit.unit,
      group,
      limit: limit.points,
      windowS: limit.windowS,
      retryAfterMs: Math.max(waitMs, 1),
    };
  }

  private groupLimit(unit: LimitUnit, points: number): Limit {
    const id = `${unit}:${points}`;
    let limit = this.groupLimits.get(id);
    if (!limit) {
      limit = this.limit('group', unit, points, this.minuteS);
      this.groupLimits.set(id, limit);
    }
    return limit;
  }

  private limit(scope: LimitScope, unit: LimitUnit, points: number, windowS: number): Limit {
    // Store names as before for request limits (`token`, `user`), so counters carry over.
    const name = unit === 'tokens' ? `${scope}-tokens` : scope;
    const share = new ReplicaShare(name, points, windowS, this.options.replicas);
    const limiter = this.options.store.create({ name, points, durationS: windowS, insurance: share });
    return { scope, unit, points, windowS, limiter, share };
  }
}
