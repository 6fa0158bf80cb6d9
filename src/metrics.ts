import { collectDefaultMetrics, Registry } from 'prom-client';

/** Prefix of every metric, as the reference's `coder_aibridged_` names with ours. */
export const METRIC_PREFIX = 'aibridge_';

/** A registry per app instance, so tests and replicas in one process don't share counters. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
