import { divisorIndices, type FeatureScaling, transformedValue } from '../../shared/contracts/scaler.js';

/**
 * Mean and population standard deviation per column of row vectors (Welford, one pass), skipping
 * non-finite entries per column. A column with no finite value gets mean 0, std 1. With divideBy,
 * a column is first divided by its divisor column (see FeatureScaling.divideBy), as scaleInto will.
 */
export function fitFeatureScaling(
  names: readonly string[],
  rows: Iterable<ArrayLike<number>>,
  divideBy?: readonly (string | null)[],
): FeatureScaling {
  const width = names.length;
  const divisors = divisorIndices(names, divideBy);
  const count = new Float64Array(width);
  const mean = new Float64Array(width);
  const m2 = new Float64Array(width);
  for (const row of rows) {
    if (row.length !== width) {
      throw new RangeError(`scaler rows must have ${width} values (${names.join(', ')}), got ${row.length}`);
    }
    for (let j = 0; j < width; j++) {
      const x = transformedValue(row, j, divisors);
      if (!Number.isFinite(x)) continue;
      const n = ++count[j]!;
      const delta = x - mean[j]!;
      mean[j]! += delta / n;
      m2[j]! += delta * (x - mean[j]!);
    }
  }
  return {
    names: [...names],
    mean: Array.from(mean, (m, j) => (count[j]! > 0 ? m : 0)),
    std: Array.from(m2, (s, j) => (count[j]! > 0 ? Math.sqrt(s / count[j]!) : 1)),
    ...(divisors.length > 0 ? { divideBy: [...(divideBy ?? [])] } : {}),
  };
}
