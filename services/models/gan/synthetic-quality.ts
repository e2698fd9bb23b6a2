import { fitLogistic } from '../evaluation/logistic-regression.js';
import { rocAuc } from '../evaluation/ranking-metrics.js';
import type { GanWindows } from './gan-training.js';
import type { StylizedFacts } from './stylized-facts.js';

/**
 * Judges synthetic windows against held-out real ones before they may be used: a discriminative
 * score (can a simple classifier tell them apart? 0.5 accuracy is best) and train-on-synthetic,
 * test-on-real (does a classifier fitted on synthetic windows rank real risk events?). The
 * classifier is ridge logistic regression (IRLS, ../evaluation/logistic-regression.ts) on window summaries.
 */

/**
 * Summary of window i: per feature the mean, the standard deviation and the mean absolute step
 * |x_t - x_{t-1}| over the window: level, spread and roughness, what a generator most visibly
 * gets wrong. 3F values.
 */
export function windowSummary(data: GanWindows, i: number): number[] {
  const { seqLen: l, width: f } = data;
  const out: number[] = [];
  for (let j = 0; j < f; j++) {
    let sum = 0;
    let sq = 0;
    let rough = 0;
    for (let t = 0; t < l; t++) {
      const v = data.windows[(i * l + t) * f + j] as number;
      sum += v;
      sq += v * v;
      if (t > 0) rough += Math.abs(v - (data.windows[(i * l + t - 1) * f + j] as number));
    }
    const mean = sum / l;
    out.push(mean, Math.sqrt(Math.max(0, sq / l - mean * mean)), l > 1 ? rough / (l - 1) : 0);
  }
  return out;
}

interface LinearClassifier {
  score(row: readonly number[]): number;
}

/** Ridge logistic regression on standardised rows (constant columns are left at 0). */
export function fitClassifier(rows: readonly number[][], labels: readonly number[]): LinearClassifier {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows)
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (r[j] as number) / rows.length;
  for (const r of rows) {
    for (let j = 0; j < d; j++)
      std[j] = (std[j] as number) + ((r[j] as number) - (mean[j] as number)) ** 2 / rows.length;
  }
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] as number);
  const standardise = (r: readonly number[]) =>
    r.map((v, j) => ((std[j] as number) > 1e-12 ? (v - (mean[j] as number)) / (std[j] as number) : 0));
  const w = fitLogistic(
    rows.map((r) => [1, ...standardise(r)]),
    labels,
  );
  return {
    score: (row) => {
      const x = [1, ...standardise(row)];
      let z = 0;
      for (let j = 0; j < x.length; j++) z += (w[j] as number) * (x[j] as number);
      return 1 / (1 + Math.exp(-z));
    },
  };
}

export interface DiscriminativeScore {
  /** Held-out accuracy of real-vs-synthetic at probability 0.5: 0.5 = indistinguishable, 1 = trivially told apart. */
  accuracy: number;
  /** ROC-AUC of the same classifier (0.5 best). */
  auc: number;
  /** Windows per class in the held-out half. */
  heldOut: number;
  /**
   * Per feature (column order), the held-out accuracy of the same classifier fitted on that
   * feature's three summaries alone: which columns give the synthetic windows away.
   */
  byFeature: number[];
}

/**
 * A classifier fitted on half of the real and half of the synthetic windows (even indices), scored
 * on the other half. Equal counts per class are used (the smaller count), so 0.5 is chance.
 */
export function discriminativeScore(real: GanWindows, synthetic: GanWindows): DiscriminativeScore {
  const n = Math.min(real.size, synthetic.size);
  if (n < 4) throw new RangeError(`the discriminative score needs >= 4 windows per class, got ${n}`);
  const fit: { rows: number[][]; labels: number[] } = { rows: [], labels: [] };
  const test: { rows: number[][]; labels: number[] } = { rows: [], labels: [] };
  for (let i = 0; i < n; i++) {
    const target = i % 2 === 0 ? fit : test;
    target.rows.push(windowSummary(real, i), windowSummary(synthetic, i));
    target.labels.push(1, 0);
  }
  const heldOutScores = (columns: (row: number[]) => number[]) => {
    const classifier = fitClassifier(fit.rows.map(columns), fit.labels);
    return test.rows.map((r) => classifier.score(columns(r)));
  };
  const accuracy = (scores: number[]) => {
    let correct = 0;
    scores.forEach((s, i) => {
      if ((s >= 0.5 ? 1 : 0) === test.labels[i]) correct++;
    });
    return correct / scores.length;
  };
  const scores = heldOutScores((r) => r);
  const byFeature = Array.from({ length: real.width }, (_, j) =>
    accuracy(heldOutScores((r) => r.slice(3 * j, 3 * j + 3))),
  );
  return {
    accuracy: accuracy(scores),
    auc: rocAuc(scores, test.labels),
    heldOut: test.rows.length / 2,
    byFeature,
  };
}

export interface TstrScore {
  /** ROC-AUC on the real windows of a classifier of the event label fitted on synthetic windows. */
  tstrAuc: number;
  /** The same classifier fitted on real training windows instead (train on real, test on real): the reference. */
  trtrAuc: number;
}

/** Train on synthetic, test on real (and the train-on-real reference) for the event label. */
export function trainOnSyntheticTestOnReal(
  synthetic: GanWindows,
  realTrain: GanWindows,
  realTest: GanWindows,
): TstrScore {
  const rows = (d: GanWindows) => Array.from({ length: d.size }, (_, i) => windowSummary(d, i));
  const testRows = rows(realTest);
  const auc = (fitOn: GanWindows) => {
    const labels = Array.from(fitOn.labels, (v) => (v > 0.5 ? 1 : 0));
    if (!labels.includes(1) || !labels.includes(0)) return Number.NaN;
    const c = fitClassifier(rows(fitOn), labels);
    return rocAuc(
      testRows.map((r) => c.score(r)),
      realTest.labels,
    );
  };
  return { tstrAuc: auc(synthetic), trtrAuc: auc(realTrain) };
}

export interface QualityThresholds {
  /** The stylized facts of generated returns must all hold. */
  requireStylizedFacts: boolean;
  /** Highest acceptable discriminative accuracy (0.5 is perfect). */
  maxDiscriminativeAccuracy: number;
  /** Lowest acceptable train-on-synthetic-test-on-real ROC-AUC. */
  minTstrAuc: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  requireStylizedFacts: true,
  maxDiscriminativeAccuracy: 0.8,
  minTstrAuc: 0.55,
};

export interface QualityVerdict {
  passed: boolean;
  /** Why it failed (empty when passed). */
  reasons: string[];
}

/** The synthetic data may be used only when every configured check passes; each failure says its numbers. */
export function judgeSyntheticQuality(
  numbers: { generatedFacts: StylizedFacts | null; discriminative: DiscriminativeScore; tstr: TstrScore },
  thresholds: QualityThresholds,
): QualityVerdict {
  const reasons: string[] = [];
  const facts = numbers.generatedFacts;
  if (thresholds.requireStylizedFacts) {
    if (facts === null) reasons.push('stylized facts: no logReturn feature to judge');
    else {
      if (!facts.checks.heavyTails)
        reasons.push(`stylized facts: excess kurtosis ${facts.excessKurtosis.toFixed(3)} is not > 0`);
      if (!facts.checks.volatilityClustering) {
        const worst = Math.min(...facts.absReturnAcf);
        reasons.push(
          `stylized facts: acf(|r|) is not > 0 at every lag 1-${facts.absReturnAcf.length} (min ${worst.toFixed(3)})`,
        );
      }
      if (!facts.checks.noReturnAutocorrelation)
        reasons.push(`stylized facts: max |acf(r)| ${facts.maxAbsReturnAcf.toFixed(3)} is not near zero`);
    }
  }
  const acc = numbers.discriminative.accuracy;
  if (!(acc <= thresholds.maxDiscriminativeAccuracy)) {
    reasons.push(
      `discriminative accuracy ${acc.toFixed(3)} > ${thresholds.maxDiscriminativeAccuracy} (real and synthetic are told apart)`,
    );
  }
  const tstr = numbers.tstr.tstrAuc;
  if (!(tstr >= thresholds.minTstrAuc)) {
    reasons.push(
      Number.isNaN(tstr)
        ? 'TSTR ROC-AUC undefined (one class missing in the real windows)'
        : `TSTR ROC-AUC ${tstr.toFixed(3)} < ${thresholds.minTstrAuc}`,
    );
  }
  return { passed: reasons.length === 0, reasons };
}
