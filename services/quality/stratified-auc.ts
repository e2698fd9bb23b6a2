import { rocAuc } from '../models/evaluation/ranking-metrics.js';

/**
 * ROC-AUC counting only pairs from the same stratum: the probability that a positive scores above
 * a negative of its own stratum, i.e. the strata's AUCs weighted by their positive x negative pair
 * counts. Pooling walk-forward folds this way compares each fold's model only with itself, so a
 * fold whose probabilities sit at another level cannot move the figure. Strata with one class only
 * contribute nothing; NaN when none has both.
 */
export function stratifiedRocAuc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  strata: ArrayLike<number>,
): number {
  if (scores.length !== labels.length || scores.length !== strata.length) {
    throw new RangeError(
      `scores, labels and strata must have one entry per sample, got ${scores.length}, ${labels.length}, ${strata.length}`,
    );
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < strata.length; i++) {
    const s = strata[i] as number;
    const list = members.get(s) ?? [];
    list.push(i);
    members.set(s, list);
  }
  let weighted = 0;
  let pairs = 0;
  for (const idx of members.values()) {
    let positives = 0;
    for (const i of idx) if ((labels[i] as number) > 0.5) positives++;
    const negatives = idx.length - positives;
    if (positives === 0 || negatives === 0) continue;
    const auc = rocAuc(
      Float64Array.from(idx, (i) => scores[i] as number),
      Float64Array.from(idx, (i) => labels[i] as number),
    );
    weighted += auc * positives * negatives;
    pairs += positives * negatives;
  }
  return pairs > 0 ? weighted / pairs : Number.NaN;
}
