import { describe, expect, it } from 'vitest';
import {
  excessKurtosis,
  pooledAutocorrelation,
  stylizedFacts,
} from '../../../services/models/gan/stylized-facts.js';
import { garch11, gaussians } from './known-series.js';

describe('stylized facts on hand-computed cases', () => {
  it('excess kurtosis', () => {
    // m2 = 1, m4 = 1: a two-point distribution has the smallest kurtosis there is.
    expect(excessKurtosis([1, -1, 1, -1])).toBeCloseTo(-2, 12);
    // deviations -2,-2,-2,-2,8: m2 = 16, m4 = 832, 832 / 256 - 3 = 0.25
    expect(excessKurtosis([0, 0, 0, 0, 10])).toBeCloseTo(0.25, 12);
    expect(excessKurtosis([3, 3, 3])).toBeNaN();
  });

  it('autocorrelation of one series and pooled over series without crossing the seam', () => {
    // deviations -1.5,-0.5,0.5,1.5: lag-1 products 0.75 - 0.25 + 0.75 = 1.25 over 5
    expect(pooledAutocorrelation([[1, 2, 3, 4]], 1)).toBeCloseTo(0.25, 12);
    // lag 3: (-1.5)(1.5) / 5
    expect(pooledAutocorrelation([[1, 2, 3, 4]], 3)).toBeCloseTo(-0.45, 12);
    // [1,2] and [3,4] with the pooled mean 2.5: (-1.5)(-0.5) + (0.5)(1.5) = 1.5 over 5; the pair (2,3) is not used
    expect(
      pooledAutocorrelation(
        [
          [1, 2],
          [3, 4],
        ],
        1,
      ),
    ).toBeCloseTo(0.3, 12);
    expect(pooledAutocorrelation([[1, 2]], 2)).toBeNaN();
    expect(() => pooledAutocorrelation([[1, 2, 3]], 0)).toThrow(/lag must be an integer >= 1, got 0/);
  });
});

describe('stylized facts on known processes', () => {
  it('iid Gaussian: kurtosis ~0, no autocorrelation of r or |r|, so not stylized', () => {
    const n = 20_000;
    const facts = stylizedFacts([gaussians(n, 1)]);
    // Three standard errors of the sample kurtosis of a Gaussian, sqrt(24 / n).
    expect(Math.abs(facts.excessKurtosis)).toBeLessThan(3 * Math.sqrt(24 / n));
    for (const v of [...facts.returnAcf, ...facts.absReturnAcf]) expect(Math.abs(v)).toBeLessThan(0.03);
    expect(facts.checks.noReturnAutocorrelation).toBe(true);
    expect(facts.passed).toBe(false);
  });

  it('GARCH(1,1): heavy tails and volatility clustering, returns still uncorrelated', () => {
    const paths = [garch11(10_000, 11), garch11(10_000, 12)];
    const facts = stylizedFacts(paths);
    // Theory: 0.774; the sample estimate of a fourth moment is noisy.
    expect(facts.excessKurtosis).toBeGreaterThan(0.3);
    expect(facts.absReturnAcf.every((v) => v > 0.02)).toBe(true);
    expect(facts.absReturnAcf[0]).toBeGreaterThan(facts.absReturnAcf[9] as number);
    expect(facts.maxAbsReturnAcf).toBeLessThan(0.05);
    expect(facts.checks).toEqual({
      heavyTails: true,
      volatilityClustering: true,
      noReturnAutocorrelation: true,
    });
    expect(facts.passed).toBe(true);
    expect(facts.samples).toBe(20_000);
  });

  it('an AR(1) with strong linear dependence fails the near-zero check', () => {
    const z = gaussians(5_000, 3);
    const ar = new Float64Array(z.length);
    for (let t = 1; t < z.length; t++) ar[t] = 0.5 * (ar[t - 1] as number) + (z[t] as number);
    const facts = stylizedFacts([ar]);
    expect(facts.returnAcf[0]).toBeCloseTo(0.5, 1);
    expect(facts.checks.noReturnAutocorrelation).toBe(false);
  });
});
