/**
 * Exponentially weighted moving average with span s (alpha = 2 / (s + 1)), in the bias-corrected
 * ("adjust=True") form pandas' ewm(span).mean() uses and telemanom (Hundman et al. 2018) smooths its
 * prediction errors with: y_t = sum_i (1-a)^i x_(t-i) / sum_i (1-a)^i. The correction keeps the
 * first values from being pulled towards zero.
 */
export class EwmaSmoother {
  private readonly decay: number;
  private numerator = 0;
  private denominator = 0;

  constructor(readonly span: number) {
    if (!(span >= 1)) throw new RangeError(`EWMA span must be >= 1, got ${span}`);
    this.decay = 1 - 2 / (span + 1);
  }

  /** Adds x and returns the smoothed value including it. */
  update(x: number): number {
    this.numerator = this.numerator * this.decay + x;
    this.denominator = this.denominator * this.decay + 1;
    return this.numerator / this.denominator;
  }

  get value(): number {
    return this.denominator > 0 ? this.numerator / this.denominator : 0;
  }

  reset(): void {
    this.numerator = 0;
    this.denominator = 0;
  }
}
