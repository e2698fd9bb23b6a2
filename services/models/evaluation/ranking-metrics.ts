/**
 * Ranking metrics of a binary classifier's scores. Pure; both return NaN when one class is absent,
 * because the metric is undefined then (callers print it as such rather than a misleading 0 or 1).
 */

/**
 * ROC-AUC as the Mann-Whitney statistic with mid-ranks for ties: the probability that a random
 * positive scores above a random negative, a tie counting one half.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkLengths(scores, labels);
  const order = sortedIndices(scores, n, 'ascending');
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    // Ranks i+1..j+1 are tied: each gets their mean.
    const midRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if ((labels[order[k] as number] as number) > 0.5) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * PR-AUC as average precision: sum over distinct score thresholds (highest first) of
 * (recall_k - recall_{k-1}) * precision_k, all samples tied at a threshold entering together
 * (the step-wise definition scikit-learn uses; no interpolation).
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkLengths(scores, labels);
  let totalPositives = 0;
  for (let i = 0; i < n; i++) if ((labels[i] as number) > 0.5) totalPositives++;
  if (totalPositives === 0) return Number.NaN;
  const order = sortedIndices(scores, n, 'descending');
  let tp = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    for (let k = i; k <= j; k++) if ((labels[order[k] as number] as number) > 0.5) tp++;
    seen = j + 1;
    const recall = tp / totalPositives;
    ap += (recall - previousRecall) * (tp / seen);
    previousRecall = recall;
    i = j + 1;
  }
  return ap;
}

function sortedIndices(
  scores: ArrayLike<number>,
  n: number,
  direction: 'ascending' | 'descending',
): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const sign = direction === 'ascending' ? 1 : -1;
  order.sort((a, b) => sign * ((scores[a] as number) - (scores[b] as number)));
  return order;
}

export function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`metric inputs must have equal length: got ${a.length} and ${b.length}`);
  }
  return a.length;
}
