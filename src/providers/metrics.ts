import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { METRIC_PREFIX } from '../metrics.js';
import type { UpstreamTimeoutKind } from '../ops/server-errors.js';
import { CircuitBreaker } from './breaker.js';
import { type BreakerSettings, breakerSettings, type ProviderSettings } from './instance.js';

const STATE_VALUE = { closed: 0, 'half-open': 0.5, open: 1 } as const;

/**
 * One instance's circuit breakers, per endpoint × model as in the reference, created on first
 * use. Undefined (no breaker at all) unless the instance enables it.
 */
export class BreakerSet {
  readonly breakers = new Map<string, { endpoint: string; model: string; breaker: CircuitBreaker }>();

  constructor(
    readonly provider: string,
    private readonly settings: BreakerSettings,
    private readonly metrics: ProviderMetrics,
  ) {}

  /** The breaker guarding one endpoint × model of this instance. */
  for(endpoint: string, model: string): CircuitBreaker {
    const key = `${endpoint}\u0000${model}`;
    let entry = this.breakers.get(key);
    if (!entry) {
      const labels = { provider: this.provider, endpoint, model };
      entry = {
        endpoint,
        model,
        breaker: new CircuitBreaker(this.settings, {
          tripped: () => this.metrics.trips.inc(labels),
          rejected: () => this.metrics.rejects.inc(labels),
        }),
      };
      this.breakers.set(key, entry);
    }
    return entry.breaker;
  }
}

/**
 * The providers' own metrics: the reference's three circuit breaker metrics, and what key
 * pools do (failovers to the next key, keys taken out of rotation). Keys appear only as hints.
 */
export class ProviderMetrics {
  readonly trips: Counter;
  readonly rejects: Counter;
  private readonly failovers: Counter;
  private readonly disabledKeys: Counter;
  private readonly timeouts: Counter<'provider' | 'kind'>;
  private readonly sets = new Set<BreakerSet>();
  private readonly unreadable: Gauge;

  constructor(
    registry: Registry,
    private readonly log: Logger,
  ) {
    const registers = [registry];
    const labelNames = ['provider', 'endpoint', 'model'];
    const sets = this.sets;
    new Gauge({
      name: `${METRIC_PREFIX}circuit_breaker_state`,
      help: 'Circuit breaker state: 0 closed, 0.5 half-open, 1 open.',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const set of sets)
          for (const { endpoint, model, breaker } of set.breakers.values())
            this.set({ provider: set.provider, endpoint, model }, STATE_VALUE[breaker.state]);
      },
    });
    this.trips = new Counter({
      name: `${METRIC_PREFIX}circuit_breaker_trips_total`,
      help: 'Times a circuit breaker opened.',
      labelNames,
      registers,
    });
    this.rejects = new Counter({
      name: `${METRIC_PREFIX}circuit_breaker_rejects_total`,
      help: 'Requests refused (503) because a circuit breaker was open.',
      labelNames,
      registers,
    });
    this.failovers = new Counter({
      name: `${METRIC_PREFIX}provider_key_failovers_total`,
      help: 'Upstream attempts retried on the next key, by why (429, 5xx, connection).',
      labelNames: ['provider', 'reason'],
      registers,
    });
    this.disabledKeys = new Counter({
      name: `${METRIC_PREFIX}provider_keys_disabled_total`,
      help: 'Keys taken out of rotation because the upstream refused them (401/403).',
      labelNames: ['provider', 'key_hint'],
      registers,
    });
    this.timeouts = new Counter({
      name: `${METRIC_PREFIX}upstream_timeouts_total`,
      help: 'Upstream attempts cut by a timeout: connect, first_byte (no response head in time) or idle (a response silent too long).',
      labelNames: ['provider', 'kind'],
      registers,
    });
    this.unreadable = new Gauge({
      name: `${METRIC_PREFIX}provider_keys_undecryptable`,
      help: '1 for each provider instance whose stored keys this replica cannot decrypt (its AIBRIDGE_SECRET_KEY differs from the one that encrypted them).',
      labelNames: ['provider'],
      registers,
    });
  }

  /** The instances whose keys do not decrypt here (all others read 0 by being absent). */
  undecryptable(providers: readonly string[]): void {
    this.unreadable.reset();
    for (const provider of providers) this.unreadable.set({ provider }, 1);
  }

  /** The breakers of an instance, or undefined when its breaker is off. */
  breakersFor(provider: string, settings: ProviderSettings): BreakerSet | undefined {
    const merged = breakerSettings(settings);
    if (!merged.enabled) return undefined;
    const set = new BreakerSet(provider, merged, this);
    this.sets.add(set);
    return set;
  }

  /** Stops reporting an instance's breakers (it was changed or removed). */
  forget(set: BreakerSet | undefined): void {
    if (set) this.sets.delete(set);
  }

  failover(provider: string, reason: string): void {
    this.failovers.inc({ provider, reason });
  }

  /** One upstream attempt that timed out (HTTP or a relayed WebSocket turn), whatever came after it. */
  upstreamTimeout(provider: string, kind: UpstreamTimeoutKind): void {
    this.timeouts.inc({ provider, kind });
  }

  keyDisabled(provider: string, hint: string, status: number): void {
    this.disabledKeys.inc({ provider, key_hint: hint });
    this.log.warn(
      { provider, key: hint, status },
      'provider key refused by the upstream: taken out of rotation until the keys change',
    );
  }
}
