import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { MARKET_FEATURES, macroFeatureNames, SENTIMENT_FEATURES } from '../shared/contracts/feature-lists.js';
import type { SequenceBatch, SequenceMeta } from '../shared/contracts/sequence-batch.js';
import type { ScaledSequence } from './windowing-events.js';
import { WindowingMetrics } from './windowing-metrics.js';

export interface MicroBatchOptions {
  /** A batch closes at this many sequences... */
  maxSize: number;
  /** ...or this long after its first sequence arrived. */
  maxDelayMs: number;
  /** Macro indicators, for the names of the raw macro values in each meta. */
  indicators: readonly string[];
  scheduler?: SchedulerLike;
  metrics?: WindowingMetrics;
}

/**
 * Copies scaled sequences into one batch: market [B, L, F], macro [B, M], sentiment [B, S], each
 * row-major, plus per-row meta (raw values by name, ack). `onAck` runs once per row when the
 * consumer acks it.
 */
export function buildBatch(
  sequences: readonly ScaledSequence[],
  macroNames: readonly string[],
  onAck: () => void = () => {},
): SequenceBatch {
  const first = sequences[0];
  if (!first) throw new Error('buildBatch: expected at least one sequence, got none');
  const F = MARKET_FEATURES.length;
  const M = first.macro.length;
  const S = first.sentiment.length;
  const L = first.market.length / F;
  const B = sequences.length;
  const market = new Float32Array(B * L * F);
  const macro = new Float32Array(B * M);
  const sentiment = new Float32Array(B * S);
  const meta: SequenceMeta[] = new Array(B);
  for (let b = 0; b < B; b++) {
    const s = sequences[b] as ScaledSequence;
    if (s.market.length !== L * F || s.macro.length !== M || s.sentiment.length !== S)
      throw new Error(
        `buildBatch: expected every sequence shaped [${L}, ${F}], [${M}], [${S}]; ${s.symbol} has ${s.market.length / F}, ${s.macro.length}, ${s.sentiment.length}`,
      );
    market.set(s.market, b * L * F);
    macro.set(s.macro, b * M);
    sentiment.set(s.sentiment, b * S);
    const macroByName: Record<string, number> = {};
    for (let i = 0; i < M; i++) macroByName[macroNames[i] as string] = s.last.macro[i] as number;
    const sentimentByName: Record<string, number> = {};
    for (let i = 0; i < S; i++)
      sentimentByName[SENTIMENT_FEATURES[i] as string] = s.last.sentiment[i] as number;
    let acked = false;
    meta[b] = {
      symbol: s.symbol,
      barTime: s.last.bar.barEnd,
      lastBar: s.last.bar,
      macro: macroByName,
      sentiment: sentimentByName,
      ack: () => {
        if (acked) return;
        acked = true;
        onAck();
        s.ack();
      },
    };
  }
  return {
    size: B,
    seqLen: L,
    marketWidth: F,
    macroWidth: M,
    sentimentWidth: S,
    market,
    macro,
    sentiment,
    meta,
    scalerId: first.scalerId,
  };
}

/**
 * Micro-batches sequences across symbols: a batch closes at maxSize sequences, maxDelayMs after
 * its first one, when the scaler changes (a batch never mixes scalers) or when the input ends.
 *
 * Backpressure is not done here but by acks: every row's meta.ack releases its bar record, and
 * the windowing consumer pauses at maxInFlight un-acked records. A slow scorer therefore holds
 * at most maxInFlight sequences in the whole stage (see docs/windowing.md).
 */
export function microBatch(options: MicroBatchOptions): OperatorFunction<ScaledSequence, SequenceBatch> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? new WindowingMetrics();
  const stats = metrics.stats;
  const macroNames = macroFeatureNames(options.indicators);
  const onAck = () => {
    stats.sequencesOutstanding--;
  };
  return (source) =>
    new Observable<SequenceBatch>((subscriber) => {
      let open: ScaledSequence[] = [];
      let timer: Subscription | undefined;

      const flush = (trigger: 'size' | 'time' | 'scaler' | 'end') => {
        timer?.unsubscribe();
        timer = undefined;
        if (open.length === 0) return;
        const batch = buildBatch(open, macroNames, onAck);
        open = [];
        stats.sequencesOutstanding += batch.size;
        metrics.batchOut(batch.size, trigger);
        subscriber.next(batch);
      };

      const sub = source.subscribe({
        next: (s) => {
          try {
            if (open.length > 0 && (open[0] as ScaledSequence).scalerId !== s.scalerId) flush('scaler');
            open.push(s);
            if (open.length >= options.maxSize) flush('size');
            else if (!timer) timer = scheduler.schedule(() => flush('time'), options.maxDelayMs);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          flush('end');
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
