import type { FeatureContribution, MarketBar } from '../../shared/contracts/records.js';
import type { SequenceBatch, SequenceMeta } from '../../shared/contracts/sequence-batch.js';
import { AnomalyTracker, DEFAULT_TRACKER_PARAMS, type TrackerParams } from './anomaly-tracker.js';

/** The anomaly verdict on one symbol's newest bar (structurally the scorer's AnomalyVerdict plus context). */
export interface AnomalyScore {
  symbol: string;
  barTime: number;
  /** In [0, 1]; 0 when not `ready`. */
  score: number;
  smoothedError: number;
  /** Dynamic threshold epsilon on smoothedError (0 while the symbol's threshold warms up). */
  threshold: number;
  isAnomaly: boolean;
  /** Per target feature: raw value of the newest bar and its share of the combined error (sums to 1). */
  contributions: FeatureContribution[];
  /**
   * False when there was nothing to compare the bar with: the symbol's first window, a gap of
   * missing bars since its previous window, or a bar not newer than the previous one.
   */
  ready: boolean;
}

export interface AnomalyScorerOptions {
  /** Market feature names of the batch (SequenceBatch.market columns, in order). */
  marketFeatures: readonly string[];
  /** Forecast columns: names among marketFeatures. */
  targetFeatures: readonly string[];
  tracker?: TrackerParams;
}

interface SymbolState {
  tracker: AnomalyTracker;
  forecast: Float32Array | null;
  barTime: number;
  barDuration: number;
  last: AnomalyScore | null;
}

/**
 * Streaming per-symbol anomaly scoring for the pipeline. Each window's forecast is for the bar
 * after the window; when the symbol's next window arrives, its newest bar (scaled, from the
 * batch) is compared with that stored forecast, and the absolute error vector goes through the
 * symbol's AnomalyTracker. Feed batches in time order per symbol (the scorer does).
 */
export class AnomalyScorer {
  private readonly states = new Map<string, SymbolState>();
  private readonly targetColumns: number[];
  private readonly params: TrackerParams;
  private readonly errors: Float64Array;
  private readonly actuals: Float64Array;

  constructor(private readonly options: AnomalyScorerOptions) {
    this.targetColumns = options.targetFeatures.map((name) => {
      const i = options.marketFeatures.indexOf(name);
      if (i < 0) {
        throw new RangeError(
          `anomaly target ${name} is not a market feature of the batch (${options.marketFeatures.join(', ')})`,
        );
      }
      return i;
    });
    this.params = options.tracker ?? DEFAULT_TRACKER_PARAMS;
    this.errors = new Float64Array(this.targetColumns.length);
    this.actuals = new Float64Array(this.targetColumns.length);
  }

  /** `forecasts` is [batch.size, targetFeatures.length], scaled like the batch. */
  score(batch: SequenceBatch, forecasts: Float32Array): AnomalyScore[] {
    const width = this.targetColumns.length;
    if (batch.marketWidth !== this.options.marketFeatures.length) {
      throw new RangeError(
        `batch has ${batch.marketWidth} market features, the anomaly model expects ${this.options.marketFeatures.length}`,
      );
    }
    if (forecasts.length !== batch.size * width) {
      throw new RangeError(`expected ${batch.size} x ${width} forecasts, got ${forecasts.length} values`);
    }
    const out: AnomalyScore[] = [];
    for (let b = 0; b < batch.size; b++) {
      const meta = batch.meta[b] as SequenceMeta;
      const newest = (b * batch.seqLen + batch.seqLen - 1) * batch.marketWidth;
      out.push(this.scoreRow(meta, batch.market, newest, forecasts.subarray(b * width, (b + 1) * width)));
    }
    return out;
  }

  /** Forgets a symbol (or all): its next window starts it afresh. */
  reset(symbol?: string): void {
    if (symbol === undefined) this.states.clear();
    else this.states.delete(symbol);
  }

  get symbols(): string[] {
    return [...this.states.keys()];
  }

  private scoreRow(
    meta: SequenceMeta,
    market: Float32Array,
    newest: number,
    forecast: Float32Array,
  ): AnomalyScore {
    const duration = Math.max(0, meta.lastBar.barEnd - meta.lastBar.barStart);
    let state = this.states.get(meta.symbol);
    if (state === undefined) {
      state = {
        tracker: new AnomalyTracker(this.targetColumns.length, this.params),
        forecast: null,
        barTime: Number.NEGATIVE_INFINITY,
        barDuration: duration,
        last: null,
      };
      this.states.set(meta.symbol, state);
    }
    if (meta.barTime <= state.barTime) {
      // A replayed window: repeat the verdict for the same bar, never re-learn from it.
      if (meta.barTime === state.barTime && state.last !== null) return state.last;
      return this.notReady(meta);
    }
    const expected = state.barTime + Math.max(state.barDuration, duration);
    const contiguous = state.forecast !== null && meta.barTime <= expected + 0.5 * Math.max(duration, 1);
    let result: AnomalyScore;
    if (contiguous) {
      const previous = state.forecast as Float32Array;
      for (let k = 0; k < this.targetColumns.length; k++) {
        const actual = market[newest + (this.targetColumns[k] as number)] as number;
        this.errors[k] = Math.abs(actual - (previous[k] as number));
        this.actuals[k] = actual;
      }
      const point = state.tracker.update(this.errors, this.actuals);
      result = {
        symbol: meta.symbol,
        barTime: meta.barTime,
        score: point.score,
        smoothedError: point.smoothedError,
        threshold: Number.isFinite(point.threshold) ? point.threshold : 0,
        isAnomaly: point.isAnomaly,
        contributions: this.options.targetFeatures.map((feature, k) => ({
          feature,
          value: rawValue(meta.lastBar, feature),
          contribution: point.contributions[k] as number,
        })),
        ready: true,
      };
    } else {
      for (let k = 0; k < this.targetColumns.length; k++) {
        this.actuals[k] = market[newest + (this.targetColumns[k] as number)] as number;
      }
      state.tracker.observe(this.actuals);
      result = this.notReady(meta);
    }
    state.forecast = Float32Array.from(forecast);
    state.barTime = meta.barTime;
    state.barDuration = duration;
    state.last = result;
    return result;
  }

  private notReady(meta: SequenceMeta): AnomalyScore {
    return {
      symbol: meta.symbol,
      barTime: meta.barTime,
      score: 0,
      smoothedError: 0,
      threshold: 0,
      isAnomaly: false,
      contributions: [],
      ready: false,
    };
  }
}

function rawValue(bar: MarketBar, feature: string): number {
  const v = (bar as unknown as Record<string, unknown>)[feature];
  return typeof v === 'number' ? v : Number.NaN;
}
