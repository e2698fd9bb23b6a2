/**
 * A training-time summary of one raw (unscaled) feature, stored in the bundle's metadata so a
 * drift check can later compare live inputs against it (e.g. PSI over the same bins).
 */
export interface FeatureDistribution {
  group: 'market' | 'macro' | 'sentiment';
  name: string;
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /**
   * Bin edges at the training quantiles (deciles by default), deduplicated, so each bin holds
   * about the same share of training values; the first and last bins are open-ended in use.
   */
  edges: number[];
  /** Share of training values per bin: edges.length - 1 entries summing to 1. */
  fractions: number[];
}

export function describeDistribution(
  group: FeatureDistribution['group'],
  name: string,
  values: readonly number[],
  bins = 10,
): FeatureDistribution {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return { group, name, count: 0, mean: 0, std: 0, min: 0, max: 0, edges: [], fractions: [] };
  let sum = 0;
  for (const v of finite) sum += v;
  const mean = sum / n;
  let sq = 0;
  for (const v of finite) sq += (v - mean) * (v - mean);
  const edges: number[] = [];
  for (let b = 0; b <= bins; b++) {
    const e = finite[Math.min(n - 1, Math.round((b / bins) * (n - 1)))] as number;
    if (edges.length === 0 || e > (edges[edges.length - 1] as number)) edges.push(e);
  }
  const fractions = binFractions(finite, edges);
  return {
    group,
    name,
    count: n,
    mean,
    std: Math.sqrt(sq / n),
    min: finite[0]!,
    max: finite[n - 1]!,
    edges,
    fractions,
  };
}

/**
 * Share of values per bin of `edges`: bin i is [edges[i], edges[i+1]) with the first bin open
 * below and the last closed and open above. A single edge gives one bin holding everything.
 */
export function binFractions(values: readonly number[], edges: readonly number[]): number[] {
  const binCount = Math.max(1, edges.length - 1);
  const counts = new Array<number>(binCount).fill(0);
  let total = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    total++;
    let lo = 0;
    let hi = binCount - 1;
    // Last bin whose left edge is <= v (binary search over the interior edges).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (v >= (edges[mid] as number)) lo = mid;
      else hi = mid - 1;
    }
    counts[lo]!++;
  }
  return counts.map((c) => (total > 0 ? c / total : 0));
}
