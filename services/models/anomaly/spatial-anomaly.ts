/**
 * HTM's "spatial anomaly" rule from Numenta's NAB detector (numenta/NAB numenta_detector.py,
 * SPATIAL_TOLERANCE = 0.05): a value beyond the range seen so far by more than `tolerance` times
 * that range is anomalous whatever the forecaster says. Numenta added it for the labellers' bias
 * towards values beyond anything seen before, which a quickly adapting forecaster under-rates.
 * One range per feature; a row is flagged when any feature is outside its range. A feature whose
 * range is still empty or a single value (min = max) never flags; non-finite values are ignored.
 */
export class SpatialRange {
  private readonly min: Float64Array;
  private readonly max: Float64Array;

  constructor(
    readonly width: number,
    readonly tolerance: number,
  ) {
    if (!(width >= 1)) throw new RangeError(`spatial range width must be >= 1, got ${width}`);
    if (!(tolerance >= 0)) throw new RangeError(`spatial tolerance must be >= 0, got ${tolerance}`);
    this.min = new Float64Array(width);
    this.max = new Float64Array(width);
    this.reset();
  }

  /** True when a value lies outside the range so far widened by the tolerance; then widens the range. */
  update(values: ArrayLike<number>): boolean {
    if (values.length !== this.width) {
      throw new RangeError(`expected ${this.width} values for the spatial range, got ${values.length}`);
    }
    let outside = false;
    for (let f = 0; f < this.width; f++) {
      const v = values[f] as number;
      if (!Number.isFinite(v)) continue;
      const lo = this.min[f] as number;
      const hi = this.max[f] as number;
      if (hi > lo) {
        const pad = (hi - lo) * this.tolerance;
        if (v > hi + pad || v < lo - pad) outside = true;
      }
      if (v < lo) this.min[f] = v;
      if (v > hi) this.max[f] = v;
    }
    return outside;
  }

  reset(): void {
    this.min.fill(Number.POSITIVE_INFINITY);
    this.max.fill(Number.NEGATIVE_INFINITY);
  }
}
