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
