/** How forecast errors are put on a common scale before they are combined across features. */
export interface NormalizerParams {
  /** EWMA span (rows) of the per-feature error mean and variance. */
  span: number;
  /** Rows before the statistics are trusted; normalised errors are 0 until then. */
  warmup: number;
  /**
   * The standard deviation used is at least relativeFloor * mean error: an error has to move by a
   * tenth of its typical size to register, so a near-constant error (a flat series) stays silent.
   */
  relativeFloor: number;
  /**
   * And at least this, in the (scaled) units of the errors: with errors in units of the data's
   * robust spread, 0.05 echoes telemanom's rule that errors below 5% of the data's spread are
   * not significant.
   */
  absoluteFloor: number;
  /** Errors are winsorised at mean + winsorZ * std before they update the statistics. */
  winsorZ: number;
}

export const DEFAULT_NORMALIZER_PARAMS: NormalizerParams = {
  span: 1000,
  warmup: 10,
  relativeFloor: 0.1,
  absoluteFloor: 0.05,
  winsorZ: 5,
};

/**
 * Per-feature running error statistics (EWMA mean and variance) and the standardised error
 * z_f = (e_f - mean_f) / std_f computed from the statistics *before* e is added, so an error
 * cannot hide itself. The update is winsorised so one huge error does not blind the normaliser
 * for the next few hundred rows. Until `span` rows have been seen the weights are 1/n
 * (a plain running mean), after that 2/(span+1).
 */
export class ErrorNormalizer {
  private readonly mean: Float64Array;
  private readonly variance: Float64Array;
  private count = 0;

  constructor(
    readonly width: number,
    readonly params: NormalizerParams = DEFAULT_NORMALIZER_PARAMS,
  ) {
    this.mean = new Float64Array(width);
    this.variance = new Float64Array(width);
  }

  get seen(): number {
    return this.count;
  }

  /** The effective standard deviation of feature f (with the floors applied). */
  scale(f: number): number {
    const m = this.mean[f] as number;
    const v = this.variance[f] as number;
    const p = this.params;
    return Math.max(Math.sqrt(v), p.relativeFloor * Math.abs(m), p.absoluteFloor);
  }

  /**
   * Writes z_f for the absolute errors `errors` into `out` (0 during warm-up) and then adds the
   * errors to the statistics.
   */
  normalize(errors: ArrayLike<number>, out: Float64Array): void {
    if (errors.length !== this.width) {
      throw new RangeError(`expected ${this.width} errors, got ${errors.length}`);
    }
    const ready = this.count >= this.params.warmup;
    for (let f = 0; f < this.width; f++) {
      const e = errors[f] as number;
      out[f] = ready && Number.isFinite(e) ? (e - (this.mean[f] as number)) / this.scale(f) : 0;
    }
    this.count++;
    const alpha = Math.max(2 / (this.params.span + 1), 1 / this.count);
    for (let f = 0; f < this.width; f++) {
      let e = errors[f] as number;
      if (!Number.isFinite(e)) continue;
      const m = this.mean[f] as number;
      if (this.count > this.params.warmup) e = Math.min(e, m + this.params.winsorZ * this.scale(f));
      const delta = e - m;
      const nextMean = m + alpha * delta;
      // West's EWMA variance update: v <- (1 - a) (v + a d^2).
      this.variance[f] = (1 - alpha) * ((this.variance[f] as number) + alpha * delta * delta);
      this.mean[f] = nextMean;
    }
  }

  reset(): void {
    this.mean.fill(0);
    this.variance.fill(0);
    this.count = 0;
  }
}
