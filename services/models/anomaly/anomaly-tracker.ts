import { AlertDeduplicator, type DeduplicationParams } from './alert-deduplication.js';
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
import { SpatialRange } from './spatial-anomaly.js';
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
  /**
   * HTM's spatial anomaly rule (spatial-anomaly.ts): a value beyond the range seen so far by
   * more than this fraction of the range scores 1. Absent or 0: off (bundles written before it
   * existed keep their behaviour). Needs the row's values passed to update().
   */
  spatialTolerance?: number;
  /**
   * The likelihood reads min(combinedError, this) instead of the combined error itself. HTM's
   * likelihood reads a raw score bounded in [0, 1], so a huge past error cannot inflate the
   * fitted spread and mask the next moderate one; a cap makes ours behave alike. Absent: no cap.
   */
  likelihoodInputCap?: number;
  /** One alert per episode (alert-deduplication.ts), applied last. Absent: off. */
  deduplication?: DeduplicationParams;
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
  /** The anomaly score in [0, 1]: blendedScore, 1 on a spatial anomaly, 0 when suppressed as a repeat. */
  score: number;
  /** The threshold and likelihood scores blended (see EnsembleMode). */
  blendedScore: number;
  /** The value was outside the range seen so far (spatialTolerance; false when off). */
  spatialAnomaly: boolean;
  /** The score was suppressed as a repeat of this episode's alert (deduplication; false when off). */
  suppressed: boolean;
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
  private readonly spatial: SpatialRange | null;
  private readonly deduplicator: AlertDeduplicator | null;
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
    const tolerance = params.spatialTolerance ?? 0;
    this.spatial = tolerance > 0 ? new SpatialRange(width, tolerance) : null;
    this.deduplicator = params.deduplication ? new AlertDeduplicator(params.deduplication) : null;
    this.z = new Float64Array(width);
  }

  /**
   * `errors` are the absolute (or any non-negative) forecast errors per feature; `values` the
   * row's actual values per feature (any fixed scale), needed only by the spatial rule.
   */
  update(errors: ArrayLike<number>, values?: ArrayLike<number>): AnomalyPoint {
    if (this.spatial !== null && values === undefined) {
      // Checked first so that a refused row leaves the state untouched.
      throw new RangeError(
        'the spatial anomaly rule is on (spatialTolerance > 0): update() needs the row values',
      );
    }
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
    const cap = this.params.likelihoodInputCap ?? Number.POSITIVE_INFINITY;
    const likelihoodScore = logLikelihoodScore(this.likelihood.update(Math.min(combinedError, cap)));
    const blendedScore = blend(this.params.ensemble, thresholdScore, likelihoodScore);
    // values is defined whenever the rule is on (checked above).
    const spatialAnomaly = this.spatial?.update(values as ArrayLike<number>) ?? false;
    const raised = spatialAnomaly ? 1 : blendedScore;
    const score = this.deduplicator ? this.deduplicator.filter(raised) : raised;
    return {
      score,
      blendedScore,
      spatialAnomaly,
      suppressed: score !== raised,
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

  /**
   * A row without a forecast error (before the stream's first forecast, after a gap): only the
   * spatial range learns its values, so the range is that of every row seen, as in HTM's rule.
   */
  observe(values: ArrayLike<number>): void {
    this.spatial?.update(values);
  }

  reset(): void {
    this.normalizer.reset();
    this.smoother.reset();
    this.threshold.reset();
    this.likelihood.reset();
    this.spatial?.reset();
    this.deduplicator?.reset();
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
