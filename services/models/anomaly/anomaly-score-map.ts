/**
 * Maps the smoothed error e relative to the dynamic threshold epsilon to [0, 1]:
 *   r = e / epsilon,  s = r^k / (1 + r^k)
 * a log-logistic curve that is 0.5 exactly at the threshold, ~0.06 at half of it and ~0.94 at
 * twice it for k = 4. Monotone in e, so thresholding s at 0.5 is thresholding e at epsilon.
 */
export function thresholdRatioScore(smoothed: number, epsilon: number, sharpness: number): number {
  if (!(epsilon > 0) || !Number.isFinite(smoothed) || smoothed <= 0) return 0;
  const r = smoothed / epsilon;
  const rk = r ** sharpness;
  return Number.isFinite(rk) ? rk / (1 + rk) : 1;
}

/** Just below 0.5: the ceiling for a value above epsilon whose sequence was pruned as nominal. */
export const PRUNED_SCORE_CEILING = 0.499;
