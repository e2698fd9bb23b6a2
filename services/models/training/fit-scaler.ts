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

/**
 * The market features' scaling, fitted on real bars only (all bars when there is none). A filled
 * bar (an exchange holiday on a daily feed) has zero volume and a volumeZ of about -90 against the
 * log-volume statistics; fitted on those, the volumeZ std grew to ~14 and squashed every real
 * bar's volumeZ to ~0. Filled bars are still scaled (clipped) like any other.
 */
export function fitMarketScaling(
  names: readonly string[],
  rows: readonly ArrayLike<number>[],
  filled: readonly boolean[],
  divideBy?: readonly (string | null)[],
): FeatureScaling {
  if (filled.length !== rows.length) {
    throw new RangeError(`one filled flag per row expected (${rows.length}), got ${filled.length}`);
  }
  const real = rows.filter((_, i) => !filled[i]);
  return fitFeatureScaling(names, real.length > 0 ? real : rows, divideBy);
}
