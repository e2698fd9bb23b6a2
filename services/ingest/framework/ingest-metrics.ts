import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type Provider = () => Iterable<{ partition: string; lagSeconds: number }>;

/** Watermark-lag providers of every service sharing a registry (one process may run all three). */
const lagProviders = new WeakMap<Registry, Map<string, Provider>>();

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/**
 * The ingest services' metrics. Names are shared by the three services (label `service`), so they
 * are created once per registry and reused. No symbol labels: cardinality stays bounded by
 * services x topics x reasons x partitions.
 */
export class IngestMetrics {
  readonly recordsIn: Counter<'service' | 'topic'>;
  readonly recordsOut: Counter<'service' | 'topic'>;
  readonly deadLetters: Counter<'service' | 'reason'>;
  readonly duplicates: Counter<'service'>;
  readonly late: Counter<'service'>;
  readonly filledBars: Counter<'service'>;
  readonly latency: Histogram<'service'>;

  constructor(
    private readonly registry: Registry,
    readonly service: string,
  ) {
    const registers = [registry];
    this.recordsIn = getOrCreate(
      registry,
      'risk_ingest_records_in_total',
      () =>
        new Counter({
          name: 'risk_ingest_records_in_total',
          help: 'Records read from an input topic',
          labelNames: ['service', 'topic'],
          registers,
        }),
    );
    this.recordsOut = getOrCreate(
      registry,
      'risk_ingest_records_out_total',
      () =>
        new Counter({
          name: 'risk_ingest_records_out_total',
          help: 'Records produced to an output topic (dead letters included)',
          labelNames: ['service', 'topic'],
          registers,
        }),
    );
    this.deadLetters = getOrCreate(
      registry,
      'risk_ingest_dead_letters_total',
      () =>
        new Counter({
          name: 'risk_ingest_dead_letters_total',
          help: 'Input records sent to the dead-letter topic, by reason code',
          labelNames: ['service', 'reason'],
          registers,
        }),
    );
    this.duplicates = getOrCreate(
      registry,
      'risk_ingest_duplicates_total',
      () =>
        new Counter({
          name: 'risk_ingest_duplicates_total',
          help: 'Input records recognised as duplicates (acked, nothing derived)',
          labelNames: ['service'],
          registers,
        }),
    );
    this.late = getOrCreate(
      registry,
      'risk_ingest_late_total',
      () =>
        new Counter({
          name: 'risk_ingest_late_total',
          help: 'Input records later than the allowed lateness (also dead-lettered with reason late)',
          labelNames: ['service'],
          registers,
        }),
    );
    this.filledBars = getOrCreate(
      registry,
      'risk_ingest_filled_bars_total',
      () =>
        new Counter({
          name: 'risk_ingest_filled_bars_total',
          help: 'Bars with no ticks, filled by carrying the previous close forward',
          labelNames: ['service'],
          registers,
        }),
    );
    this.latency = getOrCreate(
      registry,
      'risk_ingest_processing_latency_seconds',
      () =>
        new Histogram({
          name: 'risk_ingest_processing_latency_seconds',
          help: 'Wall time from receiving an input record to acking it (includes waiting for its bar to close)',
          labelNames: ['service'],
          buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
          registers,
        }),
    );
    let providers = lagProviders.get(registry);
    if (!providers) {
      const map = new Map<string, Provider>();
      providers = map;
      lagProviders.set(registry, map);
      new Gauge({
        name: 'risk_ingest_watermark_lag_seconds',
        help: 'Wall clock minus the event-time watermark of an input partition (large on replays of old data)',
        labelNames: ['service', 'partition'],
        registers,
        collect() {
          this.reset();
          for (const [service, provider] of map) {
            for (const { partition, lagSeconds } of provider()) this.set({ service, partition }, lagSeconds);
          }
        },
      });
    }
  }

  /** Reports this service's watermark lag at scrape time. */
  watchWatermarks(provider: Provider): void {
    lagProviders.get(this.registry)?.set(this.service, provider);
  }
}
