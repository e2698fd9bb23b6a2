import { erfc } from '../models/anomaly/normal-tail.js';

/**
 * VaR backtests on exceedance (hit) sequences: Kupiec's proportion-of-failures test, Christoffersen's
 * independence test and the Basel traffic light. A hit is an outcome strictly below the VaR.
 */

/** P(X > x) for X ~ chi-square with 1 degree of freedom: X = Z^2, so P = P(|Z| > sqrt x) = erfc(sqrt(x/2)). */
export function chiSquare1UpperTail(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  return erfc(Math.sqrt(x / 2));
}

/** a * ln(b) with the 0 * ln 0 = 0 convention the likelihoods need (0^0 = 1). */
function xlogy(a: number, b: number): number {
  return a === 0 ? 0 : a * Math.log(b);
}

export interface LrTest {
  lr: number;
  /** chi-square(1) upper-tail p-value of lr; NaN when the test is undefined (no observations). */
  p: number;
}

/**
 * Kupiec (1995) POF: LR = -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x] for x hits in n
 * observations at nominal rate p; asymptotically chi-square(1) under a correct coverage.
 */
export function kupiecPof(n: number, x: number, p: number): LrTest {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(x) && x >= 0 && x <= n)) {
    throw new RangeError(`kupiecPof needs integers 0 <= x <= n, got n=${n}, x=${x}`);
  }
  if (!(p > 0 && p < 1)) throw new RangeError(`kupiecPof needs a nominal rate in (0, 1), got ${p}`);
  if (n === 0) return { lr: Number.NaN, p: Number.NaN };
  const phat = x / n;
  const restricted = xlogy(n - x, 1 - p) + xlogy(x, p);
  const unrestricted = xlogy(n - x, 1 - phat) + xlogy(x, phat);
  const lr = Math.max(0, -2 * (restricted - unrestricted));
  return { lr, p: chiSquare1UpperTail(lr) };
}

export interface TransitionCounts {
  n00: number;
  n01: number;
  n10: number;
  n11: number;
}

/**
 * Counts of hit-to-hit transitions, within each sequence only: sequences are separate series
 * (e.g. one per symbol), and the last day of one symbol says nothing about the next symbol's first.
 */
export function transitionCounts(sequences: readonly (readonly boolean[])[]): TransitionCounts {
  const c = { n00: 0, n01: 0, n10: 0, n11: 0 };
  for (const hits of sequences) {
    for (let i = 1; i < hits.length; i++) {
      const a = hits[i - 1] === true;
      const b = hits[i] === true;
      if (!a && !b) c.n00++;
      else if (!a && b) c.n01++;
      else if (a && !b) c.n10++;
      else c.n11++;
    }
  }
  return c;
}

/**
 * Christoffersen (1998) independence test: a first-order Markov chain of hits (pi0 = P(hit | no hit
 * before), pi1 = P(hit | hit before)) against independence (one pi):
 *   LR = -2 ln[(1-pi)^(n00+n10) pi^(n01+n11)] + 2 ln[(1-pi0)^n00 pi0^n01 (1-pi1)^n10 pi1^n11].
 * Undefined (NaN) without transitions, or when no transition leaves a hit-free state.
 */
export function christoffersenIndependence(counts: TransitionCounts): LrTest {
  const { n00, n01, n10, n11 } = counts;
  const total = n00 + n01 + n10 + n11;
  if (total === 0 || n00 + n01 === 0) return { lr: Number.NaN, p: Number.NaN };
  const pi = (n01 + n11) / total;
  const pi0 = n01 / (n00 + n01);
  const pi1 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const restricted = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const unrestricted = xlogy(n00, 1 - pi0) + xlogy(n01, pi0) + xlogy(n10, 1 - pi1) + xlogy(n11, pi1);
  const lr = Math.max(0, -2 * (restricted - unrestricted));
  return { lr, p: chiSquare1UpperTail(lr) };
}

export type BaselZone = 'green' | 'yellow' | 'red';

/**
 * Basel traffic light for 99% VaR: per 250 observations 0-4 exceptions green, 5-9 yellow, 10 or
 * more red. Other sample sizes are scaled to 250 (x * 250 / n) before comparing, so the zones keep
 * their rate meaning (green below 2%, red from 4%).
 */
export function baselZone(n: number, exceptions: number): BaselZone {
  if (!(n > 0)) throw new RangeError(`baselZone needs at least one observation, got n=${n}`);
  const per250 = (exceptions * 250) / n;
  if (per250 < 5) return 'green';
  if (per250 < 10) return 'yellow';
  return 'red';
}

export interface VarBacktest {
  n: number;
  exceedances: number;
  nominal: number;
  exceedanceRate: number;
  kupiecP: number;
  christoffersenP: number;
}

/**
 * Backtests one VaR level on per-sequence (outcome, VaR) pairs: hit when the outcome is strictly
 * below the VaR (both log returns, losses negative).
 */
export function backtestVar(
  sequences: readonly { outcome: ArrayLike<number>; var: ArrayLike<number> }[],
  nominal: number,
): VarBacktest {
  const hits: boolean[][] = sequences.map((s) => {
    if (s.outcome.length !== s.var.length) {
      throw new RangeError(`outcome and VaR lengths differ: ${s.outcome.length} and ${s.var.length}`);
    }
    return Array.from(
      { length: s.outcome.length },
      (_, i) => (s.outcome[i] as number) < (s.var[i] as number),
    );
  });
  const n = hits.reduce((a, h) => a + h.length, 0);
  const x = hits.reduce((a, h) => a + h.filter(Boolean).length, 0);
  return {
    n,
    exceedances: x,
    nominal,
    exceedanceRate: n > 0 ? x / n : Number.NaN,
    kupiecP: kupiecPof(n, x, nominal).p,
    christoffersenP: christoffersenIndependence(transitionCounts(hits)).p,
  };
}
