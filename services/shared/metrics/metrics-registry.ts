import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per process. Conventions: durations in seconds (histograms), counters end in
 * _total, labels have bounded cardinality (never a symbol label on a high-rate series).
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
