import { describe, expect, it } from 'vitest';
import { AdaptiveTailScale, AdaptiveVarScale } from '../../../services/models/risk/adaptive-var-scale.js';

describe('AdaptiveVarScale (adaptive conformal inference on the VaR scale)', () => {
  it('widens by gamma(1 - alpha) on a hit and narrows by gamma * alpha on a miss', () => {
    const s = new AdaptiveVarScale({ alpha: 0.01, gamma: 0.1, maxLogScale: 2 });
    expect(s.apply(-0.05)).toBeCloseTo(-0.05, 12);
    expect(s.observe(-0.05, -0.08)).toBe(true); // -0.08 < -0.05: a hit
    expect(s.logScale).toBeCloseTo(0.1 * 0.99, 12);
    expect(s.apply(-0.05)).toBeCloseTo(-0.05 * Math.exp(0.099), 12);
    expect(s.observe(-0.05, -0.01)).toBe(false);
    expect(s.logScale).toBeCloseTo(0.099 - 0.001, 12);
    expect(s.resolved).toEqual({ count: 2, hits: 1 });
  });

  it('a hit exactly at the VaR is not a hit (outcome strictly below, as in the backtest)', () => {
    const s = new AdaptiveVarScale({ alpha: 0.05, gamma: 0.1, maxLogScale: 2 });
    expect(s.observe(-0.05, -0.05)).toBe(false);
    expect(s.logScale).toBeCloseTo(-0.005, 12);
  });

  it('stops moving when hits come at the nominal rate', () => {
    const s = new AdaptiveVarScale({ alpha: 0.05, gamma: 0.02, maxLogScale: 2 });
    for (let round = 0; round < 50; round++) {
      s.observe(-1, -2); // 1 hit
      for (let i = 0; i < 19; i++) s.observe(-1, 0); // 19 misses: 1 in 20 = 5%
    }
    expect(s.logScale).toBeCloseTo(0, 10);
  });

  it('stays within +-maxLogScale and widens a non-negative quantile by dividing', () => {
    const s = new AdaptiveVarScale({ alpha: 0.01, gamma: 1, maxLogScale: Math.log(4) });
    for (let i = 0; i < 10; i++) s.observe(-1, -100);
    expect(s.scale).toBeCloseTo(4, 12);
    expect(s.apply(-0.02)).toBeCloseTo(-0.08, 12);
    expect(s.apply(0.02)).toBeCloseTo(0.005, 12); // wider = lower, also above zero
    for (let i = 0; i < 2000; i++) s.observe(-1, 0);
    expect(s.scale).toBeCloseTo(0.25, 12);
  });

  it('refuses parameters outside their ranges, naming them', () => {
    expect(() => new AdaptiveVarScale({ alpha: 0, gamma: 0.1, maxLogScale: 1 })).toThrow(/alpha/);
    expect(() => new AdaptiveVarScale({ alpha: 0.01, gamma: -1, maxLogScale: 1 })).toThrow(/gamma/);
    expect(() => new AdaptiveVarScale({ alpha: 0.01, gamma: 0.1, maxLogScale: 0 })).toThrow(/maxLogScale/);
  });
});

describe('AdaptiveTailScale', () => {
  it('scales each level by its own scale and keeps VaR99 <= VaR95 and ES below VaR', () => {
    const tail = new AdaptiveTailScale({ gamma: 0.5, maxLogScale: 3 });
    // An outcome between the two VaRs: a VaR95 hit, a VaR99 miss.
    tail.observe({ var95: -0.1, var99: -0.2 }, -0.15);
    expect(tail.level95.logScale).toBeCloseTo(0.5 * 0.95, 12);
    expect(tail.level99.logScale).toBeCloseTo(-0.5 * 0.01, 12);
    const served = tail.serve({ var95: -0.1, var99: -0.11, es95: -0.12, es99: -0.13 });
    expect(served.var95).toBeCloseTo(-0.1 * Math.exp(0.475), 12);
    // Scaled alone VaR99 would be -0.11 * e^-0.005 = -0.109, above VaR95 = -0.161: held at VaR95.
    expect(served.var99).toBe(served.var95);
    expect(served.es95).toBeCloseTo(-0.12 * Math.exp(0.475), 12);
    expect(served.es99).toBeLessThanOrEqual(Math.min(served.var99, served.es95));
  });
});
