import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { WRITE_ERROR_KINDS } from './write-failure.js';

/** Bounded label values of `risk_influx_dropped_lines_total{reason}`. */
export const DROP_REASONS = ['overflow', 'rejected', 'shutdown', 'invalid'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** What a sink reports to the gauges, read at scrape time. */
export interface SinkGaugeSource {
  readonly bufferedLines: number;
  readonly available: boolean;
}

/**
 * The sink's Prometheus series. One set per registry, shared by every sink writing into it (a process
 * normally has one), so the gauges sum over the sinks registered with `track`.
 */
export class InfluxSinkMetrics {
  readonly linesWritten: Counter;
  readonly writeErrors: Counter<'kind'>;
  readonly retries: Counter;
  readonly droppedLines: Counter<'reason'>;
  readonly writeDuration: Histogram<'outcome'>;
  private readonly sources = new Set<SinkGaugeSource>();

  private constructor(registry: Registry) {
    const sources = this.sources;
    this.linesWritten = new Counter({
      name: 'risk_influx_lines_written_total',
      help: 'Lines InfluxDB accepted (2xx answer to a write).',
      registers: [registry],
    });
    this.writeErrors = new Counter({
      name: 'risk_influx_write_errors_total',
      help: 'Failed write requests by kind: network, timeout, server_error (5xx), throttled (429), rejected (other 4xx).',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'risk_influx_retries_total',
      help: 'Write requests repeated after a retriable failure.',
      registers: [registry],
    });
    this.droppedLines = new Counter({
      name: 'risk_influx_dropped_lines_total',
      help: 'Lines that will never reach InfluxDB, by reason: overflow (buffer full, oldest dropped), rejected (4xx), shutdown (undelivered at close), invalid (could not be serialised).',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.writeDuration = new Histogram({
      name: 'risk_influx_write_duration_seconds',
      help: 'Duration of write requests to InfluxDB by outcome (success, failure).',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new Gauge({
      name: 'risk_influx_buffer_lines',
      help: 'Lines waiting in the sink buffer, including a batch in flight.',
      registers: [registry],
      collect() {
        let n = 0;
        for (const s of sources) n += s.bufferedLines;
        this.set(n);
      },
    });
    new Gauge({
      name: 'risk_influx_available',
      help: '0 once writes failed maxRetries times in a row (lines are being held), 1 otherwise.',
      registers: [registry],
      collect() {
        let ok = true;
        for (const s of sources) ok &&= s.available;
        this.set(ok ? 1 : 0);
      },
    });
    // Zero-valued series from the start, so rate() and absent() work before the first error.
    for (const kind of WRITE_ERROR_KINDS) this.writeErrors.inc({ kind }, 0);
    for (const reason of DROP_REASONS) this.droppedLines.inc({ reason }, 0);
  }

  private static readonly byRegistry = new WeakMap<Registry, InfluxSinkMetrics>();

  static for(registry: Registry): InfluxSinkMetrics {
    let m = InfluxSinkMetrics.byRegistry.get(registry);
    if (!m) {
      m = new InfluxSinkMetrics(registry);
      InfluxSinkMetrics.byRegistry.set(registry, m);
    }
    return m;
  }

  track(source: SinkGaugeSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}
