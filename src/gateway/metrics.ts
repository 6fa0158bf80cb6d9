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

  started(l: InterceptionLabels): void {
    this.inflight.inc({ provider: l.provider, model: l.model, route: l.route });
  }

  ended(l: InterceptionLabels, status: 'completed' | 'failed', seconds: number): void {
    this.inflight.dec({ provider: l.provider, model: l.model, route: l.route });
    this.interceptions.inc({
      provider: l.provider,
      model: l.model,
      status,
      route: l.route,
      method: l.method,
      initiator_id: l.initiatorId,
      client: l.client,
    });
    this.duration.observe({ provider: l.provider, model: l.model }, seconds);
  }

  prompt(l: InterceptionLabels): void {
    this.prompts.inc({ provider: l.provider, model: l.model, initiator_id: l.initiatorId, client: l.client });
  }

  tokenCounts(l: InterceptionLabels, counts: Record<string, number>): void {
    for (const type in counts) {
      const value = counts[type] as number;
      if (value > 0) {
        this.tokens.inc(
          { provider: l.provider, model: l.model, type, initiator_id: l.initiatorId, client: l.client },
          value,
        );
      }
    }
  }

  toolSelected(l: InterceptionLabels, name: string): void {
    this.toolSelections.inc({ provider: l.provider, model: l.model, name });
  }

  passthrough(provider: string, route: string, method: string): void {
    this.passthroughs.inc({ provider, route, method });
  }
}
