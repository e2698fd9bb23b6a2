/** Per-feature standardisation, (x - mean) / std clipped to +-clip; shipped in every model bundle. */
export interface FeatureScaling {
  names: string[];
  mean: number[];
  std: number[];
  /**
   * Per feature, the name of another feature of the same vector to divide it by before
   * standardising (null: none); mean and std then describe the ratio. Dividing a bar's return
   * and range by its own volatility makes a window scale-free, so a ticker the model never saw
   * looks like the ones it did whatever its volatility level. Absent in older bundles: no ratios.
   */
  divideBy?: (string | null)[];
}

export interface ScalerParams {
  market: FeatureScaling;
  macro: FeatureScaling;
  sentiment: FeatureScaling;
  /** Scaled values are clipped to [-clip, clip] so one wild input cannot saturate the LSTM. */
  clip: number;
}

const NO_RATIOS = new Int32Array(0);
// scaleInto runs per bar of every window in the windowing stage: resolve names to indices once
// per scaling object, not per call.
const divisorCache = new WeakMap<FeatureScaling, Int32Array>();

/** Index of each feature's divisor in `names` (-1: none); throws on an unknown divisor name. */
export function divisorIndices(
  names: readonly string[],
  divideBy: readonly (string | null)[] | undefined,
): Int32Array {
  if (!divideBy || divideBy.every((d) => d === null)) return NO_RATIOS;
  if (divideBy.length !== names.length) {
    throw new RangeError(
      `divideBy must have one entry per feature (${names.length}), got ${divideBy.length}`,
    );
  }
  return Int32Array.from(divideBy, (d, i) => {
    if (d === null) return -1;
    const j = names.indexOf(d);
    if (j < 0 || j === i) {
      throw new RangeError(
        `feature ${names[i]} is divided by ${d}, which is ${j === i ? 'itself' : 'not one of the features'} (${names.join(', ')})`,
      );
    }
    return j;
  });
}

function divisorsOf(s: FeatureScaling): Int32Array {
  let d = divisorCache.get(s);
  if (!d) {
    d = divisorIndices(s.names, s.divideBy);
    divisorCache.set(s, d);
  }
  return d;
}

/** values[i], divided by its divisor feature when the scaling has one (NaN when that is not > 0). */
export function transformedValue(values: ArrayLike<number>, i: number, divisors: Int32Array): number {
  const x = values[i] as number;
  if (divisors.length === 0) return x;
  const j = divisors[i] as number;
  if (j < 0) return x;
  const d = values[j] as number;
  return d > 0 ? x / d : Number.NaN;
}

/** Same features, means and stds (to 1e-9): two models reading one SequenceBatch need this. */
export function sameScaling(a: FeatureScaling, b: FeatureScaling): boolean {
  return (
    a.names.join() === b.names.join() &&
    JSON.stringify(a.divideBy ?? null) === JSON.stringify(b.divideBy ?? null) &&
    a.mean.length === b.mean.length &&
    a.mean.every((v, i) => Math.abs(v - (b.mean[i] as number)) < 1e-9) &&
    a.std.every((v, i) => Math.abs(v - (b.std[i] as number)) < 1e-9)
  );
}

export function scaleInto(
  out: Float32Array,
  offset: number,
  values: ArrayLike<number>,
  s: FeatureScaling,
  clip: number,
): void {
  const divisors = divisorsOf(s);
  for (let i = 0; i < s.mean.length; i++) {
    const std = (s.std[i] as number) > 1e-12 ? (s.std[i] as number) : 1;
    const z = (transformedValue(values, i, divisors) - (s.mean[i] as number)) / std;
    out[offset + i] = Number.isFinite(z) ? Math.max(-clip, Math.min(clip, z)) : 0;
  }
}
