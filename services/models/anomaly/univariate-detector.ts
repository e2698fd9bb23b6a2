import type * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../training/seeded-random.js';
import {
  type AnomalyPoint,
  AnomalyTracker,
  DEFAULT_TRACKER_PARAMS,
  type TrackerParams,
} from './anomaly-tracker.js';
import { CpuForecaster } from './forecaster-cpu-network.js';
import { CpuAdam, fitCpuForecaster } from './forecaster-cpu-training.js';
import { buildForecaster, type ForecasterSpec } from './forecaster-model.js';
import { ForecasterRuntime } from './forecaster-runtime.js';
import { fitForecaster } from './forecaster-training.js';
import { fitRobustScaling, type RobustScaling } from './robust-scaling.js';
import {
  UNIVARIATE_INPUT_FEATURES,
  UNIVARIATE_TARGET_FEATURES,
  writeUnivariateFeatures,
} from './univariate-features.js';

export interface UnivariateDetectorParams {
  seqLen: number;
  units: number;
  /** Scaled inputs are clipped to +-clip. */
  clip: number;
  /** Row index of the first fit (trained on the rows before it). */
  firstFitAt: number;
  /** Refit (fine-tune) every this many rows after the first fit. */
  refitEvery: number;
  /** A refit trains on the windows ending in the last fitHistory rows... */
  fitHistory: number;
  /** ...at most this many of them (a seeded sample). */
  maxFitSamples: number;
  initialEpochs: number;
  refitEpochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Fixed batch size of forecaster calls (tfjs engine). */
  predictChunk: number;
  /**
   * How the forecaster is trained and run: 'cpu' (forecaster-cpu-network.ts, the same network
   * and Adam on plain arrays, several times faster for this tiny model) or 'tfjs' (the model's
   * tfjs implementation: the reference; results agree to float32 rounding).
   */
  engine: 'cpu' | 'tfjs';
  tracker: TrackerParams;
}

/** Sees every scored row's details (diagnostics, plots). */
export type DetectorObserver = (row: number, point: AnomalyPoint, forecast: number, value: number) => void;

/**
 * The tracker for value streams: the shared defaults plus HTM's spatial rule (Numenta's 5%),
 * one alert per episode (from the alarm level 0.5 of both scores, for telemanom's error buffer of
 * 100 rows) and the likelihood input capped at the normaliser's winsorising level. The pipeline's
 * DEFAULT_TRACKER_PARAMS leave all three off. See docs/anomaly.md "Variants tried".
 */
export const UNIVARIATE_TRACKER_PARAMS: TrackerParams = {
  ...DEFAULT_TRACKER_PARAMS,
  spatialTolerance: 0.05,
  deduplication: { level: 0.5, rows: DEFAULT_TRACKER_PARAMS.threshold.errorBuffer },
  likelihoodInputCap: DEFAULT_TRACKER_PARAMS.normalizer.winsorZ,
};

export const DEFAULT_UNIVARIATE_PARAMS: UnivariateDetectorParams = {
  seqLen: 24,
  units: 16,
  clip: 20,
  firstFitAt: 384,
  refitEvery: 1024,
  fitHistory: 4096,
  maxFitSamples: 1024,
  initialEpochs: 12,
  refitEpochs: 2,
  batchSize: 64,
  learningRate: 0.005,
  seed: 7,
  predictChunk: 256,
  engine: 'cpu',
  tracker: UNIVARIATE_TRACKER_PARAMS,
};

/**
 * Online anomaly detector for one (timestamp, value) stream, built from the anomaly model's parts:
 * the LSTM forecaster of the next value (univariate features, see univariate-features.ts) and
 * the AnomalyTracker (error normalisation, EWMA smoothing, telemanom dynamic threshold, Numenta
 * likelihood). It learns as it goes:
 *  - rows < seqLen: score 0 (no forecast possible);
 *  - seqLen <= row < firstFitAt: persistence forecast (the previous value), scale from the first
 *    seqLen rows;
 *  - at firstFitAt: robust scaling and a fresh LSTM fitted on all rows so far; the tracker is
 *    reset and replayed over the new model's errors on those rows so its statistics describe
 *    this model;
 *  - every refitEvery rows after that: scaling re-fitted and the LSTM fine-tuned on recent rows.
 * Errors are |forecast - value| in units of the first fit's scale, so refits do not rescale them.
 * The score of row i depends on rows 0..i only: models are trained on rows before their fit
 * point and a forecast for row i reads rows i-L..i-1.
 */
export class UnivariateDetector {
  private readonly timestamps: number[] = [];
  private readonly values: number[] = [];
  private scored = 0;
  private model: tf.LayersModel | null = null;
  private runtime: ForecasterRuntime | null = null;
  private cpu: { net: CpuForecaster; adam: CpuAdam } | null = null;
  private scaling: RobustScaling | null = null;
  private referenceScale = 1;
  private readonly tracker: AnomalyTracker;
  private readonly spec: ForecasterSpec;
  private readonly fin = UNIVARIATE_INPUT_FEATURES.length;
  private readonly error = new Float64Array(1);
  private readonly value = new Float64Array(1);

  constructor(
    readonly params: UnivariateDetectorParams = DEFAULT_UNIVARIATE_PARAMS,
    private readonly observer?: DetectorObserver,
  ) {
    if (!(params.seqLen >= 1 && params.firstFitAt > params.seqLen && params.refitEvery >= 1)) {
      throw new RangeError(
        `detector needs seqLen >= 1, firstFitAt > seqLen and refitEvery >= 1, got ${params.seqLen}, ${params.firstFitAt}, ${params.refitEvery}`,
      );
    }
    this.tracker = new AnomalyTracker(1, params.tracker);
    this.spec = {
      seqLen: params.seqLen,
      inputFeatures: [...UNIVARIATE_INPUT_FEATURES],
      targetFeatures: [...UNIVARIATE_TARGET_FEATURES],
      units: params.units,
      residual: true,
      seed: params.seed,
    };
  }

  /** Scores one more row. */
  async push(timestamp: number, value: number): Promise<number> {
    const out = await this.pushAll([timestamp], [value]);
    return out[0] as number;
  }

  /**
   * Scores rows in order; equivalent to push() for each, but forecasts between fit points are
   * computed in batches.
   */
  async pushAll(timestamps: ArrayLike<number>, values: ArrayLike<number>): Promise<Float64Array> {
    if (timestamps.length !== values.length) {
      throw new RangeError(`got ${timestamps.length} timestamps but ${values.length} values`);
    }
    for (let i = 0; i < values.length; i++) {
      this.timestamps.push(timestamps[i] as number);
      this.values.push(values[i] as number);
    }
    const out = new Float64Array(values.length);
    const first = this.scored;
    const end = this.values.length;
    while (this.scored < end) {
      const at = this.scored;
      if (this.isFitPoint(at)) await this.fit(at);
      const blockEnd = Math.min(end, this.nextFitPoint(at));
      this.scoreBlock(at, blockEnd, out, first);
      this.scored = blockEnd;
    }
    return out;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
    this.runtime = null;
    this.cpu = null;
  }

  private isFitPoint(r: number): boolean {
    const p = this.params;
    return r === p.firstFitAt || (r > p.firstFitAt && (r - p.firstFitAt) % p.refitEvery === 0);
  }

  private nextFitPoint(r: number): number {
    const p = this.params;
    if (r < p.seqLen) return p.seqLen;
    if (r < p.firstFitAt) return p.firstFitAt;
    return p.firstFitAt + (Math.floor((r - p.firstFitAt) / p.refitEvery) + 1) * p.refitEvery;
  }

  private scoreBlock(from: number, to: number, out: Float64Array, outOffset: number): void {
    const L = this.params.seqLen;
    // Rows before the first full window score 0; the tracker only sees their values.
    for (let i = from; i < Math.min(to, L); i++) this.observeRow(i);
    if (to <= L) return;
    const start = Math.max(from, L);
    if (this.scaling === null) {
      this.scaling = fitRobustScaling(this.values, 0, L);
      this.referenceScale = this.scaling.scale;
    }
    const forecasts = this.forecastRaw(start, to);
    for (let i = start; i < to; i++) {
      const forecast = forecasts[i - start] as number;
      const value = this.values[i] as number;
      this.error[0] = Math.abs(forecast - value) / this.referenceScale;
      this.value[0] = value;
      const point = this.tracker.update(this.error, this.value);
      out[i - outOffset] = point.score;
      this.observer?.(i, point, forecast, value);
    }
  }

  private observeRow(i: number): void {
    this.value[0] = this.values[i] as number;
    this.tracker.observe(this.value);
  }

  /** Raw-unit forecasts for rows [from, to) with the current model (or persistence before one). */
  private forecastRaw(from: number, to: number): Float64Array {
    const n = to - from;
    const out = new Float64Array(n);
    if ((this.runtime === null && this.cpu === null) || this.scaling === null) {
      for (let i = 0; i < n; i++) out[i] = this.values[from + i - 1] as number;
      return out;
    }
    const inputs = this.windows(from, to);
    const scaled = this.cpu
      ? this.cpu.net.forecast(inputs, n)
      : (this.runtime as ForecasterRuntime).forecast(inputs, n);
    for (let i = 0; i < n; i++) out[i] = (scaled[i] as number) * this.scaling.scale + this.scaling.center;
    return out;
  }

  /** Input windows [n, L, F] for target rows [from, to), with the current scaling. */
  private windows(from: number, to: number): Float32Array {
    const L = this.params.seqLen;
    const f = this.fin;
    const featureFrom = from - L;
    const rows = new Float32Array((to - featureFrom) * f);
    const scaling = this.scaling as RobustScaling;
    const series = { values: this.values, timestamps: this.timestamps };
    for (let r = featureFrom; r < to; r++) {
      writeUnivariateFeatures(rows, (r - featureFrom) * f, series, r, scaling, this.params.clip);
    }
    const n = to - from;
    const inputs = new Float32Array(n * L * f);
    for (let i = 0; i < n; i++) inputs.set(rows.subarray(i * f, (i + L) * f), i * L * f);
    return inputs;
  }

  /** Fits (first time) or fine-tunes the forecaster on rows before r. */
  private async fit(r: number): Promise<void> {
    const p = this.params;
    const L = p.seqLen;
    const historyFrom = Math.max(0, r - p.fitHistory);
    this.scaling = fitRobustScaling(this.values, historyFrom, r);
    const first = this.model === null && this.cpu === null;
    if (first) {
      this.referenceScale = this.scaling.scale;
      const model = buildForecaster(this.spec);
      if (p.engine === 'cpu') {
        // tfjs only for the seeded initial weights, so both engines start from the same network.
        const net = CpuForecaster.fromModel(model, this.spec);
        this.cpu = { net, adam: new CpuAdam(net.weights, p.learningRate) };
        model.dispose();
      } else {
        this.model = model;
        this.runtime = new ForecasterRuntime(this.model, this.spec, p.predictChunk);
      }
    }
    const targetFrom = Math.max(L, historyFrom + L);
    const all = this.windows(targetFrom, r);
    const count = r - targetFrom;
    let picked = Array.from({ length: count }, (_, i) => i);
    if (count > p.maxFitSamples) {
      picked = new SeededRandom(p.seed + r)
        .shuffle(picked)
        .slice(0, p.maxFitSamples)
        .sort((a, b) => a - b);
    }
    const rowSize = L * this.fin;
    const inputs = new Float32Array(picked.length * rowSize);
    const targets = new Float32Array(picked.length);
    const scaling = this.scaling;
    picked.forEach((i, k) => {
      inputs.set(all.subarray(i * rowSize, (i + 1) * rowSize), k * rowSize);
      const v = this.values[targetFrom + i] as number;
      targets[k] = Math.max(-p.clip, Math.min(p.clip, (v - scaling.center) / scaling.scale));
    });
    const samples = { count: picked.length, inputs, targets };
    const options = {
      epochs: first ? p.initialEpochs : p.refitEpochs,
      batchSize: p.batchSize,
      learningRate: p.learningRate,
      seed: p.seed + r,
    };
    if (this.cpu) fitCpuForecaster(this.cpu.net, this.cpu.adam, samples, options);
    else await fitForecaster(this.model as tf.LayersModel, this.spec, samples, options);
    if (first) {
      // Let the tracker's statistics describe this model's errors, not the persistence forecast's.
      this.tracker.reset();
      for (let i = 0; i < L; i++) this.observeRow(i);
      const forecasts = this.forecastRaw(L, r);
      for (let i = L; i < r; i++) {
        this.error[0] =
          Math.abs((forecasts[i - L] as number) - (this.values[i] as number)) / this.referenceScale;
        this.value[0] = this.values[i] as number;
        this.tracker.update(this.error, this.value);
      }
    }
  }
}
