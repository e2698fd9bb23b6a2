import {
  AnomalyLikelihood,
  DEFAULT_LIKELIHOOD_PARAMS,
  type LikelihoodParams,
  logLikelihoodScore,
} from './anomaly-likelihood.js';
import { PRUNED_SCORE_CEILING, thresholdRatioScore } from './anomaly-score-map.js';
import { DEFAULT_THRESHOLD_PARAMS, type ThresholdParams } from './dynamic-threshold.js';
import { DEFAULT_NORMALIZER_PARAMS, ErrorNormalizer, type NormalizerParams } from './error-normalizer.js';
import { EwmaSmoother } from './ewma-smoother.js';
import { StreamingThreshold } from './streaming-threshold.js';

/**
 * How the two scores are blended into `score`: the threshold score (telemanom), the log
 * likelihood score (Numenta), their mean, or their maximum.
 */
export type EnsembleMode = 'threshold' | 'likelihood' | 'mean' | 'max';

export interface TrackerParams {
  normalizer: NormalizerParams;
  /** EWMA span of the combined error (telemanom: 5% of its 2100-error window = 105). */
  smoothingSpan: number;
  threshold: ThresholdParams;
  likelihood: LikelihoodParams;
  /** k of the threshold score r^k / (1 + r^k). */
  sharpness: number;
  ensemble: EnsembleMode;
}

export const DEFAULT_TRACKER_PARAMS: TrackerParams = {
  normalizer: DEFAULT_NORMALIZER_PARAMS,
  smoothingSpan: 105,
  threshold: DEFAULT_THRESHOLD_PARAMS,
  likelihood: DEFAULT_LIKELIHOOD_PARAMS,
  sharpness: 4,
  ensemble: 'mean',
};

/** The verdict on one forecast error vector. */
export interface AnomalyPoint {
  /** Blended anomaly score in [0, 1] (see EnsembleMode). */
  score: number;
  /** telemanom part: thresholdRatioScore of the smoothed error (0.5 at epsilon). */
  thresholdScore: number;
  /** Numenta part: log likelihood score of the combined error (0.5 at the red level). */
  likelihoodScore: number;
  /** Combined standardised error of this row, sqrt(mean_f max(z_f, 0)^2). */
  combinedError: number;
  /** EWMA of combinedError. */
  smoothedError: number;
  /** Dynamic threshold epsilon on smoothedError (NaN while warming up). */
  threshold: number;
  /** telemanom's verdict: smoothedError >= epsilon and not pruned. */
  isAnomaly: boolean;
  /** Standardised error z_f per feature. */
  normalized: number[];
  /** Share of each feature in combinedError^2 (max(z_f,0)^2 / sum); sums to 1. */
  contributions: number[];
}

/**
 * One stream's anomaly state (one symbol, one NAB file): error normalisation, smoothing, the
 * dynamic threshold and the likelihood. Fed one forecast error vector per row, in time order.
 * Pure computation, no tensors: the scorer and the univariate detector share it.
 */
export class AnomalyTracker {
  private readonly normalizer: ErrorNormalizer;
  private readonly smoother: EwmaSmoother;
  private readonly threshold: StreamingThreshold;
  private readonly likelihood: AnomalyLikelihood;
  private readonly z: Float64Array;

  constructor(
    readonly width: number,
    readonly params: TrackerParams = DEFAULT_TRACKER_PARAMS,
  ) {
    if (!(width >= 1)) throw new RangeError(`tracker width must be >= 1, got ${width}`);
    this.normalizer = new ErrorNormalizer(width, params.normalizer);
    this.smoother = new EwmaSmoother(params.smoothingSpan);
    this.threshold = new StreamingThreshold(params.threshold);
    this.likelihood = new AnomalyLikelihood(params.likelihood);
    this.z = new Float64Array(width);
  }

  /** `errors` are the absolute (or any non-negative) forecast errors per feature. */
  update(errors: ArrayLike<number>): AnomalyPoint {
    this.normalizer.normalize(errors, this.z);
    let sumSq = 0;
    for (let f = 0; f < this.width; f++) {
      const pos = Math.max(0, this.z[f] as number);
      sumSq += pos * pos;
    }
    const contributions = new Array<number>(this.width);
    for (let f = 0; f < this.width; f++) {
      const pos = Math.max(0, this.z[f] as number);
      contributions[f] = sumSq > 0 ? (pos * pos) / sumSq : 1 / this.width;
    }
    const combinedError = Math.sqrt(sumSq / this.width);
    const smoothedError = this.smoother.update(combinedError);
    const verdict = this.threshold.update(smoothedError);
    let thresholdScore = thresholdRatioScore(smoothedError, verdict.epsilon, this.params.sharpness);
    if (verdict.exceeds && !verdict.isAnomaly)
      thresholdScore = Math.min(thresholdScore, PRUNED_SCORE_CEILING);
    const likelihoodScore = logLikelihoodScore(this.likelihood.update(combinedError));
    return {
      score: blend(this.params.ensemble, thresholdScore, likelihoodScore),
      thresholdScore,
      likelihoodScore,
      combinedError,
      smoothedError,
      threshold: verdict.epsilon,
      isAnomaly: verdict.isAnomaly,
      normalized: Array.from(this.z),
      contributions,
    };
  }

  reset(): void {
    this.normalizer.reset();
    this.smoother.reset();
    this.threshold.reset();
    this.likelihood.reset();
  }
}

function blend(mode: EnsembleMode, threshold: number, likelihood: number): number {
  switch (mode) {
    case 'threshold':
      return threshold;
    case 'likelihood':
      return likelihood;
    case 'max':
      return Math.max(threshold, likelihood);
    case 'mean':
      return 0.5 * (threshold + likelihood);
  }
}
