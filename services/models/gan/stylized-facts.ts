/**
 * Stylized facts of financial returns (Cont 2001), the first test synthetic returns must pass
 * before they may teach a model anything: heavy tails (excess kurtosis > 0), volatility
 * clustering (positive autocorrelation of |r| at short lags) and no linear predictability
 * (autocorrelation of r near zero). Pure functions over plain arrays.
 */

/** Excess kurtosis m4 / m2^2 - 3 (population moments): 0 for a Gaussian, > 0 for heavy tails. */
export function excessKurtosis(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const mean = meanOf(values);
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= n;
  m4 /= n;
  return m2 > 0 ? m4 / (m2 * m2) - 3 : Number.NaN;
}

/**
 * Sample autocorrelation at `lag` pooled over several series (e.g. one per symbol or per
 * generated path): deviations from the pooled mean, lagged products summed within each series
 * only (never across the seam between two series), divided by the pooled sum of squares. With one
 * series it is the textbook estimator sum_t (x_t - m)(x_{t+k} - m) / sum_t (x_t - m)^2.
 */
export function pooledAutocorrelation(series: readonly ArrayLike<number>[], lag: number): number {
  if (!(Number.isInteger(lag) && lag >= 1)) throw new RangeError(`lag must be an integer >= 1, got ${lag}`);
  let count = 0;
  let sum = 0;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) sum += s[i] as number;
    count += s.length;
  }
  if (count === 0) return Number.NaN;
  const mean = sum / count;
  let num = 0;
  let den = 0;
  let pairs = 0;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const d = (s[i] as number) - mean;
      den += d * d;
      if (i + lag < s.length) {
        num += d * ((s[i + lag] as number) - mean);
        pairs++;
      }
    }
  }
  return den > 0 && pairs > 0 ? num / den : Number.NaN;
}

export interface StylizedFactOptions {
  /** Autocorrelations are computed at lags 1..maxLag. */
  maxLag: number;
  /** |acf(r)| at or below this counts as "near zero" at every lag. */
  returnAcfTolerance: number;
}

export const DEFAULT_STYLIZED_FACT_OPTIONS: StylizedFactOptions = { maxLag: 10, returnAcfTolerance: 0.1 };

export interface StylizedFacts {
  /** Returns pooled over all series. */
  samples: number;
  excessKurtosis: number;
  /** acf of r and of |r| at lags 1..maxLag (index 0 is lag 1). */
  returnAcf: number[];
  absReturnAcf: number[];
  /** Largest |acf(r)| over the lags, and the mean acf(|r|). */
  maxAbsReturnAcf: number;
  meanAbsReturnAcf: number;
  checks: {
    heavyTails: boolean;
    volatilityClustering: boolean;
    noReturnAutocorrelation: boolean;
  };
  /** All three checks hold. */
  passed: boolean;
}

/**
 * The three facts over returns given as one array per series. Kurtosis is of the pooled returns
 * after removing each series' own mean (so differing drifts do not look like tails); the checks
 * are strict: kurtosis > 0, acf(|r|) > 0 at EVERY lag 1..maxLag, |acf(r)| <= tolerance at every lag.
 */
export function stylizedFacts(
  series: readonly ArrayLike<number>[],
  options: StylizedFactOptions = DEFAULT_STYLIZED_FACT_OPTIONS,
): StylizedFacts {
  const centred: number[] = [];
  for (const s of series) {
    const m = meanOf(s);
    for (let i = 0; i < s.length; i++) centred.push((s[i] as number) - m);
  }
  const lags = Array.from({ length: options.maxLag }, (_, i) => i + 1);
  const returnAcf = lags.map((k) => pooledAutocorrelation(series, k));
  const absSeries = series.map((s) => Float64Array.from(s as ArrayLike<number>, Math.abs));
  const absReturnAcf = lags.map((k) => pooledAutocorrelation(absSeries, k));
  const kurtosis = excessKurtosis(centred);
  const maxAbsReturnAcf = Math.max(...returnAcf.map((v) => (Number.isFinite(v) ? Math.abs(v) : Infinity)));
  const meanAbsReturnAcf = absReturnAcf.reduce((a, b) => a + b, 0) / absReturnAcf.length;
  const checks = {
    heavyTails: kurtosis > 0,
    volatilityClustering: absReturnAcf.every((v) => v > 0),
    noReturnAutocorrelation: maxAbsReturnAcf <= options.returnAcfTolerance,
  };
  return {
    samples: centred.length,
    excessKurtosis: kurtosis,
    returnAcf,
    absReturnAcf,
    maxAbsReturnAcf,
    meanAbsReturnAcf,
    checks,
    passed: checks.heavyTails && checks.volatilityClustering && checks.noReturnAutocorrelation,
  };
}

function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return values.length > 0 ? s / values.length : Number.NaN;
}
