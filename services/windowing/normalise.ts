import {
  asyncScheduler,
  type Observable,
  type OperatorFunction,
  Observable as RxObservable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import {
  MARKET_FEATURES,
  type MarketFeature,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../shared/contracts/feature-lists.js';
import { type FeatureScaling, type ScalerParams, scaleInto } from '../shared/contracts/scaler.js';
import { RunningMoments, type RunningStatsSnapshot } from './running-stats.js';
import type { ScaledSequence, Sequence } from './windowing-events.js';
import { WindowingMetrics } from './windowing-metrics.js';

/** A model bundle's scaler, with the id (bundle version) batches are tagged with. */
export interface ScalerUpdate {
  id: string;
  params: ScalerParams;
}

export const RUNNING_SCALER_ID = 'running';

export interface NormaliseOptions {
  indicators: readonly string[];
  /** Clip for running statistics (a bundle's scaler brings its own). */
  clip: number;
  /** The current bundle scaler; null (or nothing yet) means running statistics. */
  scaler$?: Observable<ScalerUpdate | null>;
  /** Running statistics to continue from (loaded from the state dir). */
  initialStats?: RunningStatsSnapshot;
  /** Persists the running statistics: every saveEveryMs (wall clock) and when the stage stops. */
  saveStats?: (snapshot: RunningStatsSnapshot) => void;
  saveEveryMs?: number;
  scheduler?: SchedulerLike;
  metrics?: WindowingMetrics;
  /** A snapshot that does not match the feature lists is ignored; this says so. */
  onStatsIgnored?: (reason: string) => void;
}

const sameNames = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Throws unless the scaler covers exactly this pipeline's feature lists, in order. */
export function assertScalerMatches(params: ScalerParams, indicators: readonly string[]): void {
  const want: [string, FeatureScaling, readonly string[]][] = [
    ['market', params.market, MARKET_FEATURES],
    ['macro', params.macro, macroFeatureNames(indicators)],
    ['sentiment', params.sentiment, SENTIMENT_FEATURES],
  ];
  for (const [group, s, names] of want) {
    if (!sameNames(s.names, names))
      throw new Error(
        `scaler ${group} features: expected [${names.join(', ')}], got [${s.names.join(', ')}]`,
      );
    if (s.mean.length !== names.length || s.std.length !== names.length)
      throw new Error(
        `scaler ${group}: expected ${names.length} means and stds, got ${s.mean.length} and ${s.std.length}`,
      );
  }
  if (!(params.clip > 0)) throw new Error(`scaler clip: expected > 0, got ${params.clip}`);
}

/**
 * Scales each sequence into row-major Float32Arrays: market [L, F] bar by bar, macro [M] and
 * sentiment [S] as of the newest bar. With a model bundle's scaler (from scaler$; a hot swap takes
 * effect from the next sequence, and the micro-batch closes its batch when the id changes) or,
 * until one exists, with running per-feature statistics (Welford, fed by each sequence's newest
 * bar, so every bar counts once) that persist across restarts through saveStats/initialStats.
 */
export function normalise(options: NormaliseOptions): OperatorFunction<Sequence, ScaledSequence> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? new WindowingMetrics();
  const macroNames = macroFeatureNames(options.indicators);
  const F = MARKET_FEATURES.length;
  const M = macroNames.length;
  const S = SENTIMENT_FEATURES.length;

  return (source) =>
    new RxObservable<ScaledSequence>((subscriber) => {
      const market = new RunningMoments(MARKET_FEATURES);
      const macro = new RunningMoments(macroNames);
      const sentiment = new RunningMoments(SENTIMENT_FEATURES);
      if (options.initialStats) {
        const s = options.initialStats;
        const ok = market.restore(s.market) && macro.restore(s.macro) && sentiment.restore(s.sentiment);
        if (!ok) {
          // Partially restored groups would mix two feature lists: start all three afresh.
          for (const m of [market, macro, sentiment]) m.reset();
          options.onStatsIgnored?.('running-stats snapshot has other feature lists; starting afresh');
        }
      }
      const snapshot = (): RunningStatsSnapshot => ({
        version: 1,
        market: market.toJSON(),
        macro: macro.toJSON(),
        sentiment: sentiment.toJSON(),
      });
      let bundle: ScalerUpdate | null = null;
      metrics.stats.scalerId = RUNNING_SCALER_ID;
      let lastSave = scheduler.now();
      const values = new Array<number>(F).fill(0);

      const scalerSub: Subscription | undefined = options.scaler$?.subscribe({
        next: (u) => {
          bundle = u;
          metrics.stats.scalerId = u?.id ?? RUNNING_SCALER_ID;
        },
        error: (err: unknown) => subscriber.error(err),
      });

      const sub = source.subscribe({
        next: (seq) => {
          const L = seq.bars.length;
          const newest = seq.bars[L - 1];
          if (!newest) return;
          for (let f = 0; f < F; f++) values[f] = newest.bar[MARKET_FEATURES[f] as MarketFeature];
          market.add(values);
          macro.add(newest.macro);
          sentiment.add(newest.sentiment);

          let scaling: ScalerParams;
          let scalerId: string;
          if (bundle) {
            scaling = bundle.params;
            scalerId = bundle.id;
          } else {
            scaling = {
              market: market.scaling(),
              macro: macro.scaling(),
              sentiment: sentiment.scaling(),
              clip: options.clip,
            };
            scalerId = RUNNING_SCALER_ID;
          }
          const out: ScaledSequence = {
            symbol: seq.symbol,
            last: newest,
            market: new Float32Array(L * F),
            macro: new Float32Array(M),
            sentiment: new Float32Array(S),
            scalerId,
            ack: seq.ack,
          };
          for (let t = 0; t < L; t++) {
            const bar = (seq.bars[t] as (typeof seq.bars)[number]).bar;
            for (let f = 0; f < F; f++) values[f] = bar[MARKET_FEATURES[f] as MarketFeature];
            scaleInto(out.market, t * F, values, scaling.market, scaling.clip);
          }
          scaleInto(out.macro, 0, newest.macro, scaling.macro, scaling.clip);
          scaleInto(out.sentiment, 0, newest.sentiment, scaling.sentiment, scaling.clip);

          if (options.saveStats && options.saveEveryMs !== undefined) {
            const now = scheduler.now();
            if (now - lastSave >= options.saveEveryMs) {
              lastSave = now;
              options.saveStats(snapshot());
            }
          }
          subscriber.next(out);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        scalerSub?.unsubscribe();
        sub.unsubscribe();
        options.saveStats?.(snapshot());
      };
    });
}
