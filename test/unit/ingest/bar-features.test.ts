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
    const state = new BarFeatureState({ ewmaLambda: 0.94, volumeEwmaLambda: 0.5, volumeMinHistory: 4 });
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
    const early = new BarFeatureState({ ewmaLambda: 0.94, volumeEwmaLambda: 0.94, volumeMinHistory: 2 });
    const warm = new BarFeatureState({ ewmaLambda: 0.94, volumeEwmaLambda: 0.94, volumeMinHistory: 20 });
    const volumes = [41_000_000, 41_010_000, 43_000_000];
    const zEarly = volumes.map((v) => early.real(totals(v)).volumeZ);
    const zWarm = volumes.map((v) => warm.real(totals(v)).volumeZ);
    expect(Math.abs(zEarly[2] as number)).toBeGreaterThan(100);
    expect(zWarm).toEqual([0, 0, 0]);
  });
});
