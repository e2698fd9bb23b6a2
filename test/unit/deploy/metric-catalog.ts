import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Registry } from 'prom-client';
import { IngestMetrics } from '../../../services/ingest/framework/ingest-metrics.js';
import { ScorerMetrics } from '../../../services/scorer/scorer-metrics.js';
import { DeadLetterWriter } from '../../../services/shared/bus/dead-letter.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import type { Codec } from '../../../services/shared/codec/codec.js';
import { InfluxSinkMetrics } from '../../../services/shared/influx/influx-sink-metrics.js';
import { kafkaMetricsFor } from '../../../services/shared/kafka/kafka-metrics.js';
import { createMetricsRegistry } from '../../../services/shared/metrics/metrics-registry.js';
import { PACKAGE_ROOT } from '../../../services/shared/project-paths.js';
import { WindowingMetrics } from '../../../services/windowing/windowing-metrics.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';

export interface MetricInfo {
  name: string;
  /** 'unknown' for names found only by scanning the sources (a metrics class not instantiated here). */
  type: MetricType;
  /** Label names the series can carry (own labels, the registry's default `service`, `le` for histograms); undefined when unknown. */
  labels?: ReadonlySet<string>;
}

/** Labels Prometheus attaches to every scraped series. */
export const TARGET_LABELS = ['job', 'instance'] as const;

/** Series Prometheus itself produces for every target. */
const SCRAPE_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];

const unusedCodec: Codec = {
  format: 'single-object',
  encode: () => Buffer.alloc(0),
  decode: () => {
    throw new Error('the metric catalog never decodes');
  },
  learn: async () => {},
};

/**
 * Every metrics class of the project, instantiated on one process registry exactly as `run <service>`
 * builds it (default process metrics, default label `service`). Add a line here when a metrics class
 * lands; until then its names are still picked up (untyped) by `scanSourceMetricNames`.
 */
function registerProjectMetrics(registry: Registry): void {
  new IngestMetrics(registry, 'ticks-consumer');
  new WindowingMetrics(registry);
  kafkaMetricsFor(registry);
  InfluxSinkMetrics.for(registry);
  new ScorerMetrics(registry);
  new DeadLetterWriter({
    sink: new EmbeddedBus().sink(),
    codec: unusedCodec,
    topic: 'risk.dlq',
    service: 'catalog',
    registry,
  });
}

function labelNamesOf(registry: Registry, name: string): string[] {
  const metric = registry.getSingleMetric(name) as unknown as { labelNames?: readonly string[] } | undefined;
  return [...(metric?.labelNames ?? [])];
}

function* typeScriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/**
 * `'risk_...'` string literals in the files under services/ that import prom-client: metric names
 * declared by code this catalog may not instantiate yet. (Files without prom-client are skipped, so
 * InfluxDB measurement names such as 'risk_score' never count as metrics.)
 */
export function scanSourceMetricNames(root = PACKAGE_ROOT): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of typeScriptFiles(join(root, 'services'))) {
    const text = readFileSync(file, 'utf8');
    if (!/from ['"]prom-client['"]/.test(text)) continue;
    for (const m of text.matchAll(/['"`](risk_[a-z0-9_]+)['"`]/g)) {
      const name = m[1]!;
      if (!found.has(name)) found.set(name, relative(root, file));
    }
  }
  return found;
}

/** Metric name -> type and labels, for everything a dashboard or rule may query. */
export async function buildMetricCatalog(): Promise<Map<string, MetricInfo>> {
  const registry = createMetricsRegistry('catalog');
  registerProjectMetrics(registry);
  const catalog = new Map<string, MetricInfo>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const type = String(metric.type) as MetricType;
    const labels = new Set([...labelNamesOf(registry, metric.name), 'service', ...TARGET_LABELS]);
    if (type === 'histogram') labels.add('le');
    if (type === 'summary') labels.add('quantile');
    catalog.set(metric.name, { name: metric.name, type, labels });
  }
  for (const name of scanSourceMetricNames().keys()) {
    if (!catalog.has(name)) catalog.set(name, { name, type: 'unknown' });
  }
  for (const name of SCRAPE_SERIES) {
    catalog.set(name, { name, type: 'gauge', labels: new Set(TARGET_LABELS) });
  }
  return catalog;
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** What a series name refers to: a metric itself, or one of a histogram's (or summary's) series. */
export function resolveSeries(
  catalog: ReadonlyMap<string, MetricInfo>,
  series: string,
): { metric: MetricInfo; suffix: string } | undefined {
  const direct = catalog.get(series);
  if (direct) return { metric: direct, suffix: '' };
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!series.endsWith(suffix)) continue;
    const base = catalog.get(series.slice(0, -suffix.length));
    if (!base) continue;
    if (base.type === 'histogram' || base.type === 'unknown') return { metric: base, suffix };
    if (base.type === 'summary' && suffix !== '_bucket') return { metric: base, suffix };
  }
  return undefined;
}
