/** Per-feature standardisation, (x - mean) / std clipped to +-clip; shipped in every model bundle. */
export interface FeatureScaling {
  names: string[];
  mean: number[];
  std: number[];
}

export interface ScalerParams {
  market: FeatureScaling;
  macro: FeatureScaling;
  sentiment: FeatureScaling;
  /** Scaled values are clipped to [-clip, clip] so one wild input cannot saturate the LSTM. */
  clip: number;
}

/** Same features, means and stds (to 1e-9): two models reading one SequenceBatch need this. */
export function sameScaling(a: FeatureScaling, b: FeatureScaling): boolean {
  return (
    a.names.join() === b.names.join() &&
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
  for (let i = 0; i < s.mean.length; i++) {
    const std = (s.std[i] as number) > 1e-12 ? (s.std[i] as number) : 1;
    const z = ((values[i] as number) - (s.mean[i] as number)) / std;
    out[offset + i] = Number.isFinite(z) ? Math.max(-clip, Math.min(clip, z)) : 0;
  }
}
