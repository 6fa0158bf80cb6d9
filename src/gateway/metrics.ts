import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics.js';
import { packageModelNames } from '../pricing/package-book.js';
import { KnownModels } from './known-models.js';
import { LabelBudget, OTHER } from './label-budget.js';

/** Labels that identify an interception in the reference's metrics. */
export interface InterceptionLabels {
  provider: string;
  model: string;
  route: string;
  method: string;
  client: string;
}

/**
 * Distinct models, tool names and passthrough routes kept as labels before `other`. For models
 * this is a second bound: only known models (KnownModels) get their own label at all.
 */
const MAX_MODELS = 200;
/** Dated snapshots (`…-20250929`) of known models: a budget of their own, as anyone can make up dates. */
const MAX_DATED_MODELS = 50;
const MAX_TOOLS = 200;
const MAX_PASSTHROUGH_ROUTES = 100;

/**
 * The reference's gateway metrics (§6.19) under the `aibridge_` prefix, without its
 * `initiator_id` label (user ids do not belong in metrics, and one series per user grows
 * without bound) and with client-supplied labels bounded: a model is its own label only when it
 * is known (priced or allowlisted, `known`), and each label takes at most so many distinct
 * values (LabelBudget). The request path only
 * bumps plain numbers on its label set's series; the Prometheus counters and the gauge are
 * filled from those numbers when /metrics is scraped, so a request does no label hashing at
 * all (prom-client hashes the label object on every update, which adds up at thousands of
 * requests a second). Only the duration histogram is observed per request.
 */
export class GatewayMetrics {
  private readonly duration: Histogram;
  private readonly overhead: Histogram;
  private readonly firstByte: Histogram;
  private readonly passthroughs: Counter;
  /** Every label set seen, kept like prom-client keeps its series (counters never forget). */
  private readonly series = new Map<string, InterceptionSeries>();
  private readonly models = new LabelBudget(MAX_MODELS);
  private readonly datedModels = new LabelBudget(MAX_DATED_MODELS);
  private readonly toolNames = new LabelBudget(MAX_TOOLS);
  private readonly passthroughRoutes = new LabelBudget(MAX_PASSTHROUGH_ROUTES);

  constructor(
    registry: Registry,
    /** Without one (bare test gateways): the price package's models only. */
    private readonly known: KnownModels = new KnownModels({ packageIds: packageModelNames }),
  ) {
    const registers = [registry];
    const all = () => this.series.values();
    new Counter({
      name: `${METRIC_PREFIX}interceptions_total`,
      help: 'Intercepted requests, by outcome.',
      labelNames: ['provider', 'model', 'status', 'route', 'method', 'client'],
      registers,
      collect() {
        this.reset();
        for (const s of all()) {
          const base = s.baseLabels;
          if (s.completed > 0) this.inc({ ...base, status: 'completed' }, s.completed);
          if (s.failed > 0) this.inc({ ...base, status: 'failed' }, s.failed);
        }
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}interceptions_inflight`,
      help: 'Intercepted requests in progress.',
      labelNames: ['provider', 'model', 'route'],
      registers,
      collect() {
        this.reset();
        for (const s of all()) {
          const { provider, model, route } = s.labels;
          this.inc({ provider, model, route }, s.inflight);
        }
      },
    });
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}interceptions_duration_seconds`,
      help: 'Time from interception start to end.',
      labelNames: ['provider', 'model'],
      buckets: [0.5, 2, 5, 15, 30, 60, 120],
      registers,
    });
    this.overhead = new Histogram({
      name: `${METRIC_PREFIX}gateway_overhead_seconds`,
      help: "The gateway's own time on a request before it goes upstream (reading it, auth, admission, recording its start).",
      labelNames: ['provider'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
      registers,
    });
    this.firstByte = new Histogram({
      name: `${METRIC_PREFIX}upstream_first_byte_seconds`,
      help: "Time from sending a request upstream to the provider's response head.",
      labelNames: ['provider'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.passthroughs = new Counter({
      name: `${METRIC_PREFIX}passthrough_total`,
      help: 'Requests relayed to a provider without recording.',
      labelNames: ['provider', 'route', 'method'],
      registers,
    });
    new Counter({
      name: `${METRIC_PREFIX}prompts_total`,
      help: 'User prompts recorded.',
      labelNames: ['provider', 'model', 'client'],
      registers,
      collect() {
        this.reset();
        for (const s of all()) if (s.prompts > 0) this.inc(s.userLabels, s.prompts);
      },
    });
    new Counter({
      name: `${METRIC_PREFIX}tokens_total`,
      help: 'Tokens recorded, by type (input, output, cache reads/writes and provider extras).',
      labelNames: ['provider', 'model', 'type', 'client'],
      registers,
      collect() {
        this.reset();
        for (const s of all()) for (const [type, n] of s.tokens) this.inc({ ...s.userLabels, type }, n);
      },
    });
    new Counter({
      name: `${METRIC_PREFIX}non_injected_tool_selections_total`,
      help: 'Client-defined tools the model chose to call.',
      labelNames: ['provider', 'model', 'name'],
      registers,
      collect() {
        this.reset();
        for (const s of all()) {
          const { provider, model } = s.labels;
          for (const [name, n] of s.tools) this.inc({ provider, model, name }, n);
        }
      },
    });
  }

  /** The series of one label set (created on first use), which the request path updates. */
  seriesFor(labels: InterceptionLabels): InterceptionSeries {
    const knowledge = this.known.knows(labels.model);
    const model =
      knowledge === 'listed'
        ? this.models.bounded(labels.model)
        : knowledge === 'dated'
          ? this.datedModels.bounded(labels.model)
          : OTHER;
    const l = { ...labels, model };
    const key = `${l.provider}\u0000${l.model}\u0000${l.route}\u0000${l.method}\u0000${l.client}`;
    let series = this.series.get(key);
    if (!series) {
      const timings = {
        duration: this.duration.labels({ provider: l.provider, model: l.model }),
        overhead: this.overhead.labels({ provider: l.provider }),
        firstByte: this.firstByte.labels({ provider: l.provider }),
      };
      series = new InterceptionSeries(l, timings, (name) => this.toolNames.bounded(name));
      this.series.set(key, series);
    }
    return series;
  }

  passthrough(provider: string, route: string, method: string): void {
    this.passthroughs.inc({ provider, route: this.passthroughRoutes.bounded(route), method });
  }
}

/** The running totals of interceptions sharing one label set; read by the metrics at scrape time. */
export class InterceptionSeries {
  inflight = 0;
  completed = 0;
  failed = 0;
  prompts = 0;
  readonly tokens = new Map<string, number>();
  readonly tools = new Map<string, number>();
  /** Label objects built once per series, for the scrape. */
  readonly baseLabels: Record<string, string>;
  readonly userLabels: Record<string, string>;

  constructor(
    readonly labels: InterceptionLabels,
    private readonly timings: Record<'duration' | 'overhead' | 'firstByte', { observe(value: number): void }>,
    private readonly toolLabel: (name: string) => string,
  ) {
    this.userLabels = { provider: labels.provider, model: labels.model, client: labels.client };
    this.baseLabels = { ...this.userLabels, route: labels.route, method: labels.method };
  }

  started(): void {
    this.inflight++;
  }

  ended(status: 'completed' | 'failed', seconds: number): void {
    this.inflight--;
    if (status === 'completed') this.completed++;
    else this.failed++;
    this.timings.duration.observe(seconds);
  }

  overhead(seconds: number): void {
    this.timings.overhead.observe(seconds);
  }

  firstByte(seconds: number): void {
    this.timings.firstByte.observe(seconds);
  }

  prompt(): void {
    this.prompts++;
  }

  tokenCounts(counts: Record<string, number>): void {
    for (const type in counts) {
      const value = counts[type] as number;
      if (value > 0) this.tokens.set(type, (this.tokens.get(type) ?? 0) + value);
    }
  }

  toolSelected(tool: string): void {
    const name = this.toolLabel(tool);
    this.tools.set(name, (this.tools.get(name) ?? 0) + 1);
  }
}
