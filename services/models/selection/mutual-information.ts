import { SeededRandom } from '../training/seeded-random.js';

/**
 * Mutual information between a feature and a discrete label, in nats. Two estimators:
 *
 * - knnMutualInformation, Ross (2014) "Mutual information between discrete and continuous data
 *   sets", the k-nearest-neighbour estimator scikit-learn's mutual_info_classif uses for
 *   continuous features: no bin width to choose, and little bias for a continuous feature against
 *   a rare binary label, where equal-width or equal-count bins leave the positives in a handful of
 *   cells. One dimension only (each feature on its own), so neighbours come from a sorted array.
 * - discreteMutualInformation, the plug-in estimate from the joint frequency table, for features
 *   with a few distinct values (a constant, a flag), where k-NN distances are mostly ties.
 *
 * No maintained npm package provides either (checked), hence this small implementation.
 */

/** Shannon entropy of the empirical distribution of `values`, nats. */
export function discreteEntropy(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let h = 0;
  for (const c of counts(values).values()) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Plug-in I(X;Y) = H(X) + H(Y) - H(X,Y) of two discrete samples of equal length, nats. */
export function discreteMutualInformation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y);
  const joint = Array.from({ length: x.length }, (_, i) => `${x[i]}|${y[i]}`);
  const n = x.length;
  let hxy = 0;
  const table = new Map<string, number>();
  for (const k of joint) table.set(k, (table.get(k) ?? 0) + 1);
  for (const c of table.values()) hxy -= (c / n) * Math.log(c / n);
  return Math.max(0, discreteEntropy(x) + discreteEntropy(y) - hxy);
}

export interface KnnMiOptions {
  /** Neighbours per point (3 as in Ross and scikit-learn). */
  k: number;
  /** Seeds the tiny jitter that breaks ties between equal feature values. */
  seed: number;
}

export const DEFAULT_KNN_MI_OPTIONS: KnnMiOptions = { k: 3, seed: 42 };

/**
 * Ross's estimator I = psi(N) + <psi(k)> - <psi(N_y)> - <psi(m)>: for each point, d is the
 * distance to its k-th nearest neighbour among points with the same label, m the number of points
 * of any label closer than d (itself included; the same count as Ross's "within d, the k
 * neighbours included, itself excluded"), N_y its label's count. Points whose label occurs once
 * are left out, as in scikit-learn; k shrinks to N_y - 1 for small classes. Clamped at 0.
 * Equal values are jittered by 1e-10 of the feature's scale first, so distances are never 0.
 */
export function knnMutualInformation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: KnnMiOptions = DEFAULT_KNN_MI_OPTIONS,
): number {
  checkLengths(x, y);
  if (!(Number.isInteger(options.k) && options.k >= 1)) {
    throw new RangeError(`k must be an integer >= 1, got ${options.k}`);
  }
  const labelCounts = counts(y);
  const keep: number[] = [];
  for (let i = 0; i < x.length; i++) if ((labelCounts.get(y[i] as number) as number) > 1) keep.push(i);
  const n = keep.length;
  if (n < 2) return 0;
  const values = jitter(
    keep.map((i) => x[i] as number),
    options.seed,
  );
  const labels = keep.map((i) => y[i] as number);

  const radius = new Float64Array(n);
  const kOf = new Float64Array(n);
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const list = byLabel.get(l) ?? [];
    list.push(i);
    byLabel.set(l, list);
  });
  for (const members of byLabel.values()) {
    const k = Math.min(options.k, members.length - 1);
    const sorted = members.map((i) => values[i] as number).sort((a, b) => a - b);
    const order = [...members].sort((a, b) => (values[a] as number) - (values[b] as number));
    order.forEach((i, p) => {
      radius[i] = kthNeighbourDistance(sorted, p, k);
      kOf[i] = k;
    });
  }
  const all = Float64Array.from(values).sort();
  let sumK = 0;
  let sumLabel = 0;
  let sumM = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const r = radius[i] as number;
    // Points strictly within r, the point itself included.
    const m = Math.max(1, lowerBound(all, v + r) - upperBound(all, v - r));
    sumK += digamma(kOf[i] as number);
    sumLabel += digamma((byLabel.get(labels[i] as number) as number[]).length);
    sumM += digamma(m);
  }
  return Math.max(0, digamma(n) + sumK / n - sumLabel / n - sumM / n);
}

/** Distance from sorted[p] to its k-th nearest other element of the sorted array. */
function kthNeighbourDistance(sorted: readonly number[], p: number, k: number): number {
  const v = sorted[p] as number;
  let left = p - 1;
  let right = p + 1;
  let d = 0;
  for (let step = 0; step < k; step++) {
    const dl = left >= 0 ? v - (sorted[left] as number) : Number.POSITIVE_INFINITY;
    const dr = right < sorted.length ? (sorted[right] as number) - v : Number.POSITIVE_INFINITY;
    if (dl <= dr) {
      d = dl;
      left--;
    } else {
      d = dr;
      right++;
    }
  }
  return d;
}

/** First index with sorted[i] >= v. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with sorted[i] > v. */
function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function jitter(values: number[], seed: number): number[] {
  const rng = new SeededRandom(seed);
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  const eps = 1e-10 * Math.max(1, scale);
  return values.map((v) => v + eps * (rng.next() - 0.5));
}

/** The digamma function psi(x) for x > 0: recurrence up to x >= 6, then the asymptotic series. */
export function digamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`digamma is used here for x > 0 only, got ${x}`);
  let result = 0;
  let v = x;
  while (v < 6) {
    result -= 1 / v;
    v += 1;
  }
  const inv2 = 1 / (v * v);
  return (
    result +
    Math.log(v) -
    0.5 / v -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
  );
}

function counts(values: ArrayLike<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    out.set(v, (out.get(v) ?? 0) + 1);
  }
  return out;
}

function checkLengths(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) {
    throw new RangeError(`mutual information needs samples of equal length, got ${x.length} and ${y.length}`);
  }
}
