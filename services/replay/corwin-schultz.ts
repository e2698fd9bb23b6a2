const K = 3 - 2 * Math.SQRT2;

/**
 * Corwin & Schultz (2012) bid-ask spread estimate from the highs and lows of two consecutive days,
 * as a fraction of price: the high-low range of one day holds volatility and spread, that of two days
 * holds twice the volatility but the same spread. Negative estimates are set to 0, as in the paper.
 */
export function corwinSchultzSpread(high1: number, low1: number, high2: number, low2: number): number {
  const beta = Math.log(high1 / low1) ** 2 + Math.log(high2 / low2) ** 2;
  const gamma = Math.log(Math.max(high1, high2) / Math.min(low1, low2)) ** 2;
  const alpha = (Math.sqrt(2 * beta) - Math.sqrt(beta)) / K - Math.sqrt(gamma / K);
  const s = (2 * (Math.exp(alpha) - 1)) / (1 + Math.exp(alpha));
  return Math.max(0, s);
}

/**
 * The spread for each day: the mean of the two-day estimates over the last `window` day pairs
 * ending at that day (only the past), floored at `floor`. Single two-day estimates are very noisy
 * and often 0, hence the average.
 */
export function rollingSpreads(
  days: readonly { high: number; low: number }[],
  window = 20,
  floor = 1e-4,
): number[] {
  const pair: number[] = [];
  const out: number[] = [];
  let sum = 0;
  for (let t = 0; t < days.length; t++) {
    if (t > 0) {
      const a = days[t - 1] as { high: number; low: number };
      const b = days[t] as { high: number; low: number };
      const s = corwinSchultzSpread(a.high, a.low, b.high, b.low);
      pair.push(s);
      sum += s;
      if (pair.length > window) sum -= pair[pair.length - 1 - window] as number;
    }
    const n = Math.min(pair.length, window);
    out.push(Math.max(floor, n > 0 ? sum / n : 0));
  }
  return out;
}
