import { describe, expect, it } from 'vitest';
import { AdaptiveVarScale } from '../../../services/models/risk/adaptive-var-scale.js';

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
