/**
 * A small VaR99 exceedance count for the challenger gate (a full VaR backtest module, with
 * Kupiec/Christoffersen tests, is separate work). An exceedance is a realised H-bar log return
 * below the model's var99 (both negative = loss, the RiskScore convention).
 */
export interface VarExceedances {
  samples: number;
  exceedances: number;
  rate: number;
  /** Most exceedances still in the Basel green zone for this many samples. */
  greenLimit: number;
  green: boolean;
}

export function countVarExceedances(var99: ArrayLike<number>, realised: ArrayLike<number>): VarExceedances {
  if (var99.length !== realised.length) {
    throw new RangeError(
      `var99 and realised returns must pair up, got ${var99.length} and ${realised.length}`,
    );
  }
  let exceedances = 0;
  let samples = 0;
  for (let i = 0; i < var99.length; i++) {
    const v = var99[i] as number;
    const r = realised[i] as number;
    if (!(Number.isFinite(v) && Number.isFinite(r))) continue;
    samples++;
    if (r < v) exceedances++;
  }
  const greenLimit = baselGreenLimit(samples);
  return {
    samples,
    exceedances,
    rate: samples > 0 ? exceedances / samples : Number.NaN,
    greenLimit,
    green: exceedances <= greenLimit,
  };
}

/**
 * The Basel traffic light's green zone scaled to n observations: the largest k with
 * P(X <= k) < 0.95 for X ~ Binomial(n, 0.01), i.e. k exceptions are still plausible for a correct
 * 99% VaR. For n = 250 this is the familiar 4. (Overlapping H-bar returns and several symbols
 * make exceptions correlated, so the test is lenient; it guards against gross breakage.)
 */
export function baselGreenLimit(n: number, p = 0.01, confidence = 0.95): number {
  if (n <= 0) return 0;
  // pmf(0) = (1-p)^n, pmf(k+1) = pmf(k) * (n-k)/(k+1) * p/(1-p), in logs for large n.
  let logPmf = n * Math.log1p(-p);
  let cdf = Math.exp(logPmf);
  let k = 0;
  // Tiny samples: even one exception would be implausible, none is still fine.
  if (!(cdf < confidence)) return 0;
  for (;;) {
    logPmf += Math.log(n - k) - Math.log(k + 1) + Math.log(p) - Math.log1p(-p);
    const next = cdf + Math.exp(logPmf);
    if (!(next < confidence) || k + 1 >= n) return k;
    cdf = next;
    k++;
  }
}
