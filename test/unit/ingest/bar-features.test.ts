import { describe, expect, it } from 'vitest';
import { BarFeatureState, type BarTotals } from '../../../services/ingest/ticks/bar-features.js';

const totals = (volume: number): BarTotals => ({
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume,
  priceVolume: 100 * volume,
  ticks: 1,
  spreadBpsSum: 10,
  bidSize: 1,
  askSize: 1,
});

describe('BarFeatureState volumeZ warm-up', () => {
  it('is 0 until volumeMinHistory earlier bars are known, then the z-score against them', () => {
    const state = new BarFeatureState({
      ewmaLambda: 0.94,
      slowEwmaLambda: 0.995,
      volumeEwmaLambda: 0.5,
      volumeMinHistory: 4,
    });
    const volumes = [1000, 1010, 1005, 990, 5000];
    const z = volumes.map((v) => state.real(totals(v)).volumeZ);
    expect(z.slice(0, 4)).toEqual([0, 0, 0, 0]);
    // The fifth bar against the EWMA mean/variance of ln(1 + v) over the first four (lambda 0.5).
    let m = Math.log1p(1000);
    let v = 0;
    for (const x of volumes.slice(1, 4).map(Math.log1p)) {
      const d = x - m;
      m += 0.5 * d;
      v = 0.5 * (v + 0.5 * d * d);
    }
    expect(z[4]).toBeCloseTo((Math.log1p(5000) - m) / Math.sqrt(v), 10);
  });

  it('keeps the near-zero early variance from producing a huge z (the JPM 2012-09-06 case)', () => {
    // Two almost equal volumes, then a normal one: with a warm-up of 2 the third bar's z explodes.
    const early = new BarFeatureState({
      ewmaLambda: 0.94,
      slowEwmaLambda: 0.995,
      volumeEwmaLambda: 0.94,
      volumeMinHistory: 2,
    });
    const warm = new BarFeatureState({
      ewmaLambda: 0.94,
      slowEwmaLambda: 0.995,
      volumeEwmaLambda: 0.94,
      volumeMinHistory: 20,
    });
    const volumes = [41_000_000, 41_010_000, 43_000_000];
    const zEarly = volumes.map((v) => early.real(totals(v)).volumeZ);
    const zWarm = volumes.map((v) => warm.real(totals(v)).volumeZ);
    expect(Math.abs(zEarly[2] as number)).toBeGreaterThan(100);
    expect(zWarm).toEqual([0, 0, 0]);
  });
});

describe('BarFeatureState volRatio', () => {
  const withClose = (close: number): BarTotals => ({ ...totals(1_000), close, high: close, low: close });
  const settings = { ewmaLambda: 0.5, slowEwmaLambda: 0.9, volumeEwmaLambda: 0.94, volumeMinHistory: 2 };

  it('is ln(fast / slow EWMA volatility) of the same returns, 0 before the first return', () => {
    const state = new BarFeatureState(settings);
    const closes = [100, 101, 99, 99.5, 99.4];
    const ratios = closes.map((c) => state.real(withClose(c)).volRatio);
    let fast: number | undefined;
    let slow: number | undefined;
    const expected = closes.map((c, i) => {
      if (i === 0) return 0;
      const r = Math.log(c / (closes[i - 1] as number));
      fast = fast === undefined ? r * r : 0.5 * fast + 0.5 * r * r;
      slow = slow === undefined ? r * r : 0.9 * slow + 0.1 * r * r;
      return 0.5 * Math.log(fast / slow);
    });
    expect(ratios[0]).toBe(0);
    expect(ratios[1]).toBe(0); // one return: both variances are r^2
    for (const [i, r] of ratios.entries()) expect(r).toBeCloseTo(expected[i] as number, 12);
    // After the big moves, two small returns: the fast volatility falls below the slow one.
    expect(ratios[4]).toBeLessThan(0);
  });

  it('falls on carried-forward bars, whose zero return decays the fast variance faster', () => {
    const state = new BarFeatureState(settings);
    for (const c of [100, 102, 100]) state.real(withClose(c));
    const before = state.real(withClose(101)).volRatio;
    const filled = state.filled().volRatio;
    expect(filled).toBeCloseTo(before + 0.5 * Math.log(0.5 / 0.9), 12);
  });
});
