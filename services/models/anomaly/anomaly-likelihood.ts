import { normalUpperTail } from './normal-tail.js';

/**
 * Numenta's anomaly likelihood (Ahmad et al. 2017, "Unsupervised real-time anomaly detection for
 * streaming data"; nupic's AnomalyLikelihood), applied to a raw error signal instead of HTM's
 * prediction error: the short-term average of the raw values is compared with a normal
 * distribution fitted to the averages over a long history. Defaults are nupic's.
 */
export interface LikelihoodParams {
  /** Rows ignored at the start of the history when the distribution is fitted. */
  learningPeriod: number;
  /** Rows (after learningPeriod) before the first estimate; likelihood is 0.5 until then. */
  estimationSamples: number;
  /** Length of the history the distribution is fitted on. */
  historicWindow: number;
  /** Re-fit the distribution every this many rows. */
  reestimationPeriod: number;
  /** Short-term moving average window of the raw values. */
  averagingWindow: number;
  /** Lower bound on the fitted standard deviation (units of the raw values). */
  minStd: number;
  /** Likelihood of a "red" alert; a red right after a red is lowered to `yellow` (nupic's filter). */
  red: number;
  yellow: number;
}

export const DEFAULT_LIKELIHOOD_PARAMS: LikelihoodParams = {
  learningPeriod: 288,
  estimationSamples: 100,
  historicWindow: 8640,
  reestimationPeriod: 100,
  averagingWindow: 10,
  minStd: 0.05,
  red: 0.99999,
  yellow: 0.999,
};

/** log(1 - likelihood) on the scale nupic/NAB use: 0 for likelihood 0, 0.5 at the red level, 1 at 1 - 1e-10. */
export function logLikelihoodScore(likelihood: number): number {
  const s = Math.log(1.0000000001 - likelihood) / Math.log(1 - 0.9999999999);
  return Math.min(1, Math.max(0, s));
}

export class AnomalyLikelihood {
  private readonly recent: Float64Array;
  private recentHead = 0;
  private recentFilled = 0;
  private readonly history: Float64Array;
  private historyHead = 0;
  private historyFilled = 0;
  private iteration = 0;
  private mean = Number.NaN;
  private std = Number.NaN;
  private previousRed = false;

  constructor(readonly params: LikelihoodParams = DEFAULT_LIKELIHOOD_PARAMS) {
    this.recent = new Float64Array(params.averagingWindow);
    this.history = new Float64Array(params.historicWindow);
  }

  /** Adds one raw value; returns the (filtered) likelihood that the recent values are anomalous. */
  update(raw: number): number {
    const x = Number.isFinite(raw) ? raw : 0;
    this.recent[this.recentHead] = x;
    this.recentHead = (this.recentHead + 1) % this.recent.length;
    this.recentFilled = Math.min(this.recentFilled + 1, this.recent.length);
    let sum = 0;
    for (let i = 0; i < this.recentFilled; i++) sum += this.recent[i] as number;
    const average = sum / this.recentFilled;

    const p = this.params;
    let likelihood = 0.5;
    if (this.iteration >= p.learningPeriod + p.estimationSamples) {
      if (Number.isNaN(this.mean) || this.iteration % p.reestimationPeriod === 0) this.estimate();
      const tail = normalUpperTail((average - this.mean) / this.std);
      const red = tail <= 1 - p.red;
      likelihood = red && this.previousRed ? p.yellow : 1 - tail;
      this.previousRed = red;
    }
    this.history[this.historyHead] = average;
    this.historyHead = (this.historyHead + 1) % this.history.length;
    this.historyFilled = Math.min(this.historyFilled + 1, this.history.length);
    this.iteration++;
    return likelihood;
  }

  /** Normal fit over the history, skipping what is left of the learning period in it. */
  private estimate(): void {
    const n = this.historyFilled;
    const shiftedOut = Math.max(0, this.iteration - this.history.length);
    const skip = Math.min(n, Math.max(0, this.params.learningPeriod - shiftedOut));
    const size = this.history.length;
    const start = (this.historyHead - n + size) % size;
    let sum = 0;
    let count = 0;
    for (let i = skip; i < n; i++) {
      sum += this.history[(start + i) % size] as number;
      count++;
    }
    const mean = count > 0 ? sum / count : 0;
    let ss = 0;
    for (let i = skip; i < n; i++) {
      const d = (this.history[(start + i) % size] as number) - mean;
      ss += d * d;
    }
    this.mean = mean;
    this.std = Math.max(count > 0 ? Math.sqrt(ss / count) : 0, this.params.minStd);
  }

  reset(): void {
    this.recent.fill(0);
    this.recentHead = 0;
    this.recentFilled = 0;
    this.historyHead = 0;
    this.historyFilled = 0;
    this.iteration = 0;
    this.mean = Number.NaN;
    this.std = Number.NaN;
    this.previousRed = false;
  }
}
