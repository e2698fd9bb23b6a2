import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Per-source numbers read at scrape time (in-flight records, lag by topic). */
export interface SourceGauges {
  group: string;
  inFlight(): number;
  lagByTopic(): Map<string, number>;
}

/**
 * The transport's Prometheus series. Labels are bounded: topic and consumer group, never a key
 * or symbol. Gauges are computed when scraped, so the hot path only bumps counters.
 */
export class KafkaMetrics {
  readonly consumed: Counter<'topic'>;
  readonly produced: Counter<'topic'>;
  readonly commits: Counter<'result'>;
  readonly rebalances: Counter<'group'>;
  readonly crashes: Counter<'group' | 'restart'>;
  readonly sendSeconds: Histogram<never>;
  private readonly sources = new Set<SourceGauges>();

  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    const sources = this.sources;
    this.consumed = new Counter({
      name: 'risk_kafka_consumed_records_total',
      help: 'Records handed downstream by Kafka sources',
      labelNames: ['topic'],
      registers,
    });
    this.produced = new Counter({
      name: 'risk_kafka_produced_records_total',
      help: 'Records acknowledged by the Kafka brokers',
      labelNames: ['topic'],
      registers,
    });
    this.commits = new Counter({
      name: 'risk_kafka_commits_total',
      help: 'Offset commit requests by result (ok, failed)',
      labelNames: ['result'],
      registers,
    });
    this.rebalances = new Counter({
      name: 'risk_kafka_rebalances_total',
      help: 'Partition assignments received by consumer group members',
      labelNames: ['group'],
      registers,
    });
    this.crashes = new Counter({
      name: 'risk_kafka_consumer_crashes_total',
      help: 'kafkajs consumer crashes, by whether kafkajs restarted the consumer',
      labelNames: ['group', 'restart'],
      registers,
    });
    this.sendSeconds = new Histogram({
      name: 'risk_kafka_producer_send_seconds',
      help: 'Time from sending a producer batch until the brokers acknowledged it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: 'risk_kafka_in_flight_records',
      help: 'Records handed downstream and not yet acked, per consumer group',
      labelNames: ['group'],
      registers,
      collect() {
        this.reset();
        for (const s of sources) this.inc({ group: s.group }, s.inFlight());
      },
    });
    new Gauge({
      name: 'risk_kafka_consumer_lag_records',
      help: 'High watermark minus committed offset, summed over the assigned partitions of a topic',
      labelNames: ['group', 'topic'],
      registers,
      collect() {
        this.reset();
        for (const s of sources) {
          for (const [topic, lag] of s.lagByTopic()) this.inc({ group: s.group, topic }, lag);
        }
      },
    });
  }

  /** Registers a source's gauges; call the returned function when the source stops. */
  track(source: SourceGauges): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}

const byRegistry = new WeakMap<Registry, KafkaMetrics>();

/** One KafkaMetrics per registry (a second transport in the process shares the series). */
export function kafkaMetricsFor(registry?: Registry): KafkaMetrics {
  if (!registry) return new KafkaMetrics();
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new KafkaMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
