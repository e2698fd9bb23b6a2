import { describe, expect, it } from 'vitest';
import { scalerSchema } from '../../../services/models/bundle/bundle-schemas.js';
import { marketDivideBy } from '../../../services/models/risk/market-scaling.js';
import { fitFeatureScaling } from '../../../services/models/training/fit-scaler.js';
import { divisorIndices, scaleInto } from '../../../services/shared/contracts/scaler.js';

const names = ['logReturn', 'hlRange', 'ewmaVol'];

describe('vol-relative market scaling', () => {
  it('divides return and range by the bar’s ewmaVol, keeps ewmaVol a level', () => {
    expect(marketDivideBy('vol-relative', names)).toEqual(['ewmaVol', 'ewmaVol', null]);
    expect(marketDivideBy('raw', names)).toBeUndefined();
    expect(() => marketDivideBy('vol-relative', ['logReturn'])).toThrow(/needs the ewmaVol feature/);
  });

  it('fits mean and std on the ratios, and scaleInto applies the same ratios', () => {
    // Two tickers whose returns differ by a factor of 10 in level and volatility alike.
    const rows = [
      [0.01, 0.02, 0.01],
      [-0.01, 0.02, 0.01],
      [0.1, 0.2, 0.1],
      [-0.1, 0.2, 0.1],
    ];
    const s = fitFeatureScaling(names, rows, ['ewmaVol', 'ewmaVol', null]);
    expect(s.mean[0]).toBeCloseTo(0, 12);
    expect(s.std[0]).toBeCloseTo(1, 12); // ratios are +-1
    expect(s.mean[1]).toBeCloseTo(2, 12);
    expect(s.std[1]).toBeCloseTo(0, 12);
    expect(s.mean[2]).toBeCloseTo(0.055, 12); // the level itself
    expect(s.divideBy).toEqual(['ewmaVol', 'ewmaVol', null]);

    const a = new Float32Array(3);
    const b = new Float32Array(3);
    scaleInto(a, 0, rows[0] as number[], s, 5);
    scaleInto(b, 0, rows[2] as number[], s, 5);
    expect(a[0]).toBeCloseTo(1, 6);
    expect(b[0]).toBeCloseTo(1, 6); // same window in sigma units, whatever the ticker
    expect(a[2]).not.toBeCloseTo(b[2] as number, 3);
  });

  it('scales a ratio with a non-positive divisor to 0 and skips it when fitting', () => {
    const s = fitFeatureScaling(
      names,
      [
        [0.01, 0.02, 0],
        [0.02, 0.02, 0.01],
      ],
      ['ewmaVol', null, null],
    );
    expect(s.mean[0]).toBeCloseTo(2, 12); // only the second row counts
    const out = new Float32Array(3);
    scaleInto(out, 0, [0.01, 0.02, 0], s, 5);
    expect(out[0]).toBe(0);
  });

  it('without divideBy scales exactly as before', () => {
    const s = fitFeatureScaling(names, [
      [1, 2, 3],
      [3, 4, 5],
    ]);
    expect(s.divideBy).toBeUndefined();
    const out = new Float32Array(3);
    scaleInto(out, 0, [3, 4, 5], s, 5);
    expect(Array.from(out)).toEqual([1, 1, 1]);
  });

  it('rejects a divisor that is unknown or the feature itself', () => {
    expect(() => divisorIndices(names, ['nope', null, null])).toThrow(/not one of the features/);
    expect(() => divisorIndices(names, ['logReturn', null, null])).toThrow(/itself/);
    expect(() => divisorIndices(names, ['ewmaVol'])).toThrow(/one entry per feature \(3\), got 1/);
  });

  it('bundle schema accepts divideBy and refuses a malformed one', () => {
    const group = { names, mean: [0, 0, 0], std: [1, 1, 1] };
    const ok = {
      market: { ...group, divideBy: ['ewmaVol', 'ewmaVol', null] },
      macro: group,
      sentiment: group,
      clip: 5,
    };
    expect(scalerSchema.safeParse(ok).success).toBe(true);
    expect(scalerSchema.safeParse({ ...ok, market: { ...group } }).success).toBe(true); // older bundles
    const bad = { ...ok, market: { ...group, divideBy: ['missing', null, null] } };
    expect(scalerSchema.safeParse(bad).success).toBe(false);
  });
});
