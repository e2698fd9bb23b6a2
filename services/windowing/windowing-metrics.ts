import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Plain numbers the operators keep current; `stats()` returns a copy and the gauges read them. */
export interface WindowingStats {
  /** Live bars decoded (replays not included). */
  barsIn: number;
  /** Bars read back to rebuild windows after an assignment. */
  barsReplayed: number;
  sentimentIn: number;
  macroIn: number;
  deadLetters: number;
  /** Bars dropped because their symbol already had a bar ending at or after theirs. */
  duplicateBars: number;
  /** Bars joined before the sentiment/macro streams had passed their end (waited the maximum). */
  joinIncomplete: number;
  sequencesOut: number;
  batchesOut: number;
  /** Sequences handed to the consumer and not yet acked by it. */
  sequencesOutstanding: number;
  evictedSymbols: number;
  evictedSentimentKeys: number;
  rebuilds: number;
  /** Symbols with a window. */
  symbols: number;
  /** Bars held in all windows. */
  barsHeld: number;
  /** Bars waiting in the join for lagging sentiment/macro. */
  joinPending: number;
  sentimentKeys: number;
  sentimentStates: number;
  macroReleases: number;
  macroBootstrapped: boolean;
  /** 'running' until a model bundle's scaler is set, then the bundle's id. */
  scalerId: string;
}

export function emptyStats(): WindowingStats {
  return {
    barsIn: 0,
    barsReplayed: 0,
    sentimentIn: 0,
    macroIn: 0,
    deadLetters: 0,
    duplicateBars: 0,
    joinIncomplete: 0,
    sequencesOut: 0,
    batchesOut: 0,
    sequencesOutstanding: 0,
    evictedSymbols: 0,
    evictedSentimentKeys: 0,
    rebuilds: 0,
    symbols: 0,
    barsHeld: 0,
    joinPending: 0,
    sentimentKeys: 0,
    sentimentStates: 0,
    macroReleases: 0,
    macroBootstrapped: false,
    scalerId: 'running',
  };
}

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []) {
  const existing = registry.getSingleMetric(name);
  return (
    (existing as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

/**
 * The stage's Prometheus series and its plain-number stats. One instance per pipeline; the
 * operators take it as an option (tests pass a throwaway one). No symbol labels: cardinality stays
 * bounded however many symbols flow.
 */
export class WindowingMetrics {
  readonly stats: WindowingStats = emptyStats();
  private readonly records: Counter<string>;
  private readonly deadLetterCount: Counter<string>;
  private readonly duplicates: Counter<string>;
  private readonly incomplete: Counter<string>;
  private readonly sequences: Counter<string>;
  private readonly batches: Counter<string>;
  private readonly evictions: Counter<string>;
  private readonly rebuildRecords: Counter<string>;
  private readonly batchSize: Histogram<string>;
  private readonly joinWait: Histogram<string>;
  private readonly rebuildSeconds: Histogram<string>;

  /** Without a registry the series go to a private one (tests, benchmarks). */
  constructor(readonly registry: Registry = new Registry()) {
    const r = registry;
    this.records = counter(
      r,
      'risk_windowing_records_in_total',
      'Feature records read, by kind (bar, sentiment, macro) and origin (live, replay)',
      ['kind', 'origin'],
    );
    this.deadLetterCount = counter(
      r,
      'risk_windowing_dead_letters_total',
      'Feature records sent to the DLQ, by reason code',
      ['code'],
    );
    this.duplicates = counter(
      r,
      'risk_windowing_duplicate_bars_total',
      'Bars dropped as duplicates or out of order (barEnd <= the last one)',
    );
    this.incomplete = counter(
      r,
      'risk_windowing_join_incomplete_total',
      'Bars joined before sentiment/macro caught up, by why (max_wait, max_held, end)',
      ['reason'],
    );
    this.sequences = counter(r, 'risk_windowing_sequences_total', 'Sequences (full windows) emitted');
    this.batches = counter(
      r,
      'risk_windowing_batches_total',
      'Micro-batches emitted, by what closed them (size, time, scaler, end)',
      ['trigger'],
    );
    this.evictions = counter(
      r,
      'risk_windowing_evictions_total',
      'Idle state evicted, by kind (window, sentiment, join)',
      ['kind'],
    );
    this.rebuildRecords = counter(
      r,
      'risk_windowing_rebuild_records_total',
      'Records read back to rebuild state after assignments, by topic kind',
      ['kind'],
    );
    const histogram = (name: string, help: string, buckets: number[]) =>
      (r.getSingleMetric(name) as Histogram<string> | undefined) ??
      new Histogram({ name, help, buckets, registers: [r] });
    this.batchSize = histogram(
      'risk_windowing_batch_size',
      'Sequences per micro-batch',
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    );
    this.joinWait = histogram(
      'risk_windowing_join_wait_seconds',
      'Wall-clock time a bar waited in the join for sentiment/macro to pass its end',
      [0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    );
    this.rebuildSeconds = histogram(
      'risk_windowing_rebuild_seconds',
      'Time to read back and fold one partition after an assignment',
      [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
    );
    this.gauges(r);
  }

  private gauges(r: Registry): void {
    const s = this.stats;
    const gauge = (name: string, help: string, read: () => number) => {
      if (r.getSingleMetric(name)) return;
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          this.set(read());
        },
      });
    };
    gauge('risk_windowing_symbols', 'Symbols with a window', () => s.symbols);
    gauge('risk_windowing_bars_held', 'Bars held in all windows', () => s.barsHeld);
    gauge('risk_windowing_join_pending', 'Bars waiting in the join', () => s.joinPending);
    gauge('risk_windowing_sentiment_keys', 'Sentiment keys held', () => s.sentimentKeys);
    gauge(
      'risk_windowing_sentiment_states',
      'Sentiment states held (history included)',
      () => s.sentimentStates,
    );
    gauge('risk_windowing_macro_releases', 'Macro releases held', () => s.macroReleases);
    gauge(
      'risk_windowing_sequences_outstanding',
      'Sequences emitted, not yet acked by the scorer',
      () => s.sequencesOutstanding,
    );
    gauge('risk_windowing_macro_bootstrapped', '1 once the macro table reached its high watermark', () =>
      s.macroBootstrapped ? 1 : 0,
    );
  }

  recordIn(kind: 'bar' | 'sentiment' | 'macro', replay: boolean): void {
    this.records.inc({ kind, origin: replay ? 'replay' : 'live' });
    if (kind === 'bar') {
      if (replay) this.stats.barsReplayed++;
      else this.stats.barsIn++;
    } else if (kind === 'sentiment') this.stats.sentimentIn++;
    else this.stats.macroIn++;
  }

  deadLetter(code: string): void {
    this.deadLetterCount.inc({ code });
    this.stats.deadLetters++;
  }

  duplicateBar(): void {
    this.duplicates.inc();
    this.stats.duplicateBars++;
  }

  joined(waitedMs: number): void {
    this.joinWait.observe(waitedMs / 1000);
  }

  joinIncomplete(reason: 'max_wait' | 'max_held' | 'end'): void {
    this.incomplete.inc({ reason });
    this.stats.joinIncomplete++;
  }

  sequenceOut(): void {
    this.sequences.inc();
    this.stats.sequencesOut++;
  }

  batchOut(size: number, trigger: 'size' | 'time' | 'scaler' | 'end'): void {
    this.batches.inc({ trigger });
    this.batchSize.observe(size);
    this.stats.batchesOut++;
  }

  evicted(kind: 'window' | 'sentiment', n = 1): void {
    this.evictions.inc({ kind }, n);
    if (kind === 'window') this.stats.evictedSymbols += n;
    else this.stats.evictedSentimentKeys += n;
  }

  rebuilt(kind: 'bar' | 'sentiment', records: number, seconds: number): void {
    this.rebuildRecords.inc({ kind }, records);
    this.rebuildSeconds.observe(seconds);
    this.stats.rebuilds++;
  }
}
