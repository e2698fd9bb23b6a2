import {
  bufferedRuns,
  chooseEpsilon,
  DEFAULT_THRESHOLD_PARAMS,
  type EpsilonChoice,
  pruneSequences,
  type ThresholdParams,
} from './dynamic-threshold.js';

export interface ThresholdVerdict {
  /** Current epsilon (NaN until minWindow smoothed errors have been seen). */
  epsilon: number;
  /** The newest smoothed error is at or above epsilon. */
  exceeds: boolean;
  /** It exceeds and its sequence survived pruning. */
  isAnomaly: boolean;
}

/**
 * telemanom's dynamic threshold applied online: keeps the last windowSize smoothed errors of one
 * stream, re-chooses epsilon over them (newest included) every recomputeEvery rows and judges the
 * newest value: anomalous if it is >= epsilon and the buffered sequence it belongs to is not
 * pruned. Only values already seen are used, so a verdict never depends on later rows.
 */
export class StreamingThreshold {
  private readonly ring: Float64Array;
  private readonly window: Float64Array;
  private head = 0;
  private filled = 0;
  private sinceChoice = Number.POSITIVE_INFINITY;
  private choice: EpsilonChoice | null = null;

  constructor(readonly params: ThresholdParams = DEFAULT_THRESHOLD_PARAMS) {
    if (!(params.windowSize >= 2 && params.minWindow >= 2 && params.minWindow <= params.windowSize)) {
      throw new RangeError(
        `threshold window must satisfy 2 <= minWindow <= windowSize, got ${params.minWindow} / ${params.windowSize}`,
      );
    }
    this.ring = new Float64Array(params.windowSize);
    this.window = new Float64Array(params.windowSize);
  }

  get lastChoice(): EpsilonChoice | null {
    return this.choice;
  }

  update(smoothed: number): ThresholdVerdict {
    const x = Number.isFinite(smoothed) ? smoothed : 0;
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.ring.length;
    this.filled = Math.min(this.filled + 1, this.ring.length);
    if (this.filled < this.params.minWindow) return { epsilon: Number.NaN, exceeds: false, isAnomaly: false };
    const values = this.ordered();
    this.sinceChoice++;
    if (this.choice === null || this.sinceChoice >= this.params.recomputeEvery) {
      this.choice = chooseEpsilon(values, this.params);
      this.sinceChoice = 0;
    }
    const epsilon = this.choice.epsilon;
    const exceeds = this.choice.std > 0 && x >= epsilon;
    if (!exceeds) return { epsilon, exceeds, isAnomaly: false };
    const { runs } = bufferedRuns(values, epsilon, this.params.errorBuffer);
    const kept = pruneSequences(values, runs, this.params.pruneMinDrop);
    const last = values.length - 1;
    const isAnomaly = kept.some((r) => r.start <= last && last <= r.end);
    return { epsilon, exceeds, isAnomaly };
  }

  /** The window oldest first, as a view of length `filled`. */
  private ordered(): Float64Array {
    const n = this.filled;
    const size = this.ring.length;
    const start = (this.head - n + size) % size;
    for (let i = 0; i < n; i++) this.window[i] = this.ring[(start + i) % size] as number;
    return this.window.subarray(0, n);
  }

  reset(): void {
    this.head = 0;
    this.filled = 0;
    this.choice = null;
    this.sinceChoice = Number.POSITIVE_INFINITY;
  }
}
