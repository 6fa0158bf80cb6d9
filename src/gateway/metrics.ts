import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';

/** Labels that identify an interception in the reference's metrics. */
export interface InterceptionLabels {
  provider: string;
  model: string;
  route: string;
  method: string;
  initiatorId: string;
  client: string;
}

const MAX_CACHED_SERIES = 10_000;

/**
 * The reference's gateway metrics (§6.19) under the `aibridge_` prefix. Updated when an
 * interception ends, not per event, so the streaming path does no label hashing.
 */
export class GatewayMetrics {
  private readonly interceptions: Counter;
  private readonly inflight: Gauge;
  private readonly duration: Histogram;
  private readonly passthroughs: Counter;
  private readonly prompts: Counter;
  private readonly tokens: Counter;
  private readonly toolSelections: Counter;
  private readonly cache = new Map<string, InterceptionSeries>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.interceptions = new Counter({
      name: `${METRIC_PREFIX}interceptions_total`,
      help: 'Intercepted requests, by outcome.',
      labelNames: ['provider', 'model', 'status', 'route', 'method', 'initiator_id', 'client'],
      registers,
    });
    this.inflight = new Gauge({
      name: `${METRIC_PREFIX}interceptions_inflight`,
      help: 'Intercepted requests in progress.',
      labelNames: ['provider', 'model', 'route'],
      registers,
    });
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}interceptions_duration_seconds`,
      help: 'Time from interception start to end.',
      labelNames: ['provider', 'model'],
      buckets: [0.5, 2, 5, 15, 30, 60, 120],
      registers,
    });
    this.passthroughs = new Counter({
      name: `${METRIC_PREFIX}passthrough_total`,
      help: 'Requests relayed to a provider without recording.',
      labelNames: ['provider', 'route', 'method'],
      registers,
    });
    this.prompts = new Counter({
      name: `${METRIC_PREFIX}prompts_total`,
      help: 'User prompts recorded.',
      labelNames: ['provider', 'model', 'initiator_id', 'client'],
      registers,
    });
    this.tokens = new Counter({
      name: `${METRIC_PREFIX}tokens_total`,
      help: 'Tokens recorded, by type (input, output, cache reads/writes and provider extras).',
      labelNames: ['provider', 'model', 'type', 'initiator_id', 'client'],
      registers,
    });
    this.toolSelections = new Counter({
      name: `${METRIC_PREFIX}non_injected_tool_selections_total`,
      help: 'Client-defined tools the model chose to call.',
      labelNames: ['provider', 'model', 'name'],
      registers,
    });
  }

  /**
   * The metric series of one label set, bound once and cached: prom-client hashes a label
   * object on every update, which adds up at thousands of requests a second.
   */
  series(l: InterceptionLabels): InterceptionSeries {
    const key = `${l.provider}\u0000${l.model}\u0000${l.route}\u0000${l.method}\u0000${l.initiatorId}\u0000${l.client}`;
    let series = this.cache.get(key);
    if (!series) {
      if (this.cache.size >= MAX_CACHED_SERIES) this.cache.clear();
      series = new InterceptionSeries(this, l);
      this.cache.set(key, series);
    }
    return series;
  }

  /** @internal Binds the children of one label set. */
  bind(l: InterceptionLabels) {
    const user = { provider: l.provider, model: l.model, initiator_id: l.initiatorId, client: l.client };
    const base = {
      provider: l.provider,
      model: l.model,
      route: l.route,
      method: l.method,
      initiator_id: l.initiatorId,
      client: l.client,
    };
    return {
      inflight: this.inflight.labels({ provider: l.provider, model: l.model, route: l.route }),
      completed: this.interceptions.labels({ ...base, status: 'completed' }),
      failed: this.interceptions.labels({ ...base, status: 'failed' }),
      duration: this.duration.labels({ provider: l.provider, model: l.model }),
      prompts: this.prompts.labels(user),
      tokens: (type: string) => this.tokens.labels({ ...user, type }),
      tool: (name: string) => this.toolSelections.labels({ provider: l.provider, model: l.model, name }),
    };
  }

  passthrough(provider: string, route: string, method: string): void {
    this.passthroughs.inc({ provider, route, method });
  }
}

type Bound = ReturnType<GatewayMetrics['bind']>;

/** The metrics of interceptions sharing one label set; what the request path updates. */
export class InterceptionSeries {
  private readonly bound: Bound;
  private readonly tokenChildren = new Map<string, ReturnType<Bound['tokens']>>();

  constructor(metrics: GatewayMetrics, labels: InterceptionLabels) {
    this.bound = metrics.bind(labels);
  }

  started(): void {
    this.bound.inflight.inc();
  }

  ended(status: 'completed' | 'failed', seconds: number): void {
    this.bound.inflight.dec();
    (status === 'completed' ? this.bound.completed : this.bound.failed).inc();
    this.bound.duration.observe(seconds);
  }

  prompt(): void {
    this.bound.prompts.inc();
  }

  tokenCounts(counts: Record<string, number>): void {
    for (const type in counts) {
      const value = counts[type] as number;
      if (value <= 0) continue;
      let child = this.tokenChildren.get(type);
      if (!child) {
        child = this.bound.tokens(type);
        this.tokenChildren.set(type, child);
      }
      child.inc(value);
    }
  }

  toolSelected(name: string): void {
    this.bound.tool(name).inc();
  }
}
