/** Location and scale of a value stream: x' = (x - center) / scale. */
export interface RobustScaling {
  center: number;
  scale: number;
}

function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/**
 * Median and IQR / 1.349 (the normal-consistent interquartile scale) of the finite values, so a
 * few huge spikes in the history do not squash everything else. Falls back to the standard
 * deviation when the IQR is zero (mostly constant data with some movement) and to 1 for a
 * constant series.
 */
export function fitRobustScaling(values: ArrayLike<number>, from = 0, to = values.length): RobustScaling {
  const finite: number[] = [];
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return { center: 0, scale: 1 };
  const sorted = Float64Array.from(finite).sort();
  const center = quantileSorted(sorted, 0.5);
  const tiny = 1e-9 * Math.max(1, Math.abs(center));
  let scale = (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) / 1.349;
  if (!(scale > tiny)) {
    let ss = 0;
    for (const v of finite) ss += (v - center) ** 2;
    scale = Math.sqrt(ss / finite.length);
  }
  if (!(scale > tiny)) scale = 1;
  return { center, scale };
}
