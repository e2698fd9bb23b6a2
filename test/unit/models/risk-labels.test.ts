import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { riskLabelAt, riskLabels } from '../../../services/models/risk/risk-labels.js';

const bar = (logReturn: number, ewmaVol = 0.01) => ({ logReturn, ewmaVol });

describe('riskLabelAt', () => {
  const bars = [bar(0, 0.01), bar(0.01, 0.02), bar(-0.02), bar(-0.03), bar(0.01), bar(0.02)];
  const params = { horizon: 3, k: 2 };

  it('labels an event when the cumulative return path crosses -k sigma sqrt(H)', () => {
    // sigma_0 = 0.01, level = -0.02 * sqrt(3) = -0.034641; path 0.01, -0.01, -0.04
    const label = riskLabelAt(bars, 0, params);
    expect(label).not.toBeNull();
    expect(label!.event).toBe(1);
    expect(label!.eventLevel).toBeCloseTo(-0.0346410161514, 12);
    expect(label!.minCumulativeReturn).toBeCloseTo(-0.04, 12);
    expect(label!.horizonReturn).toBeCloseTo(-0.04, 12);
    expect(label!.realizedVol).toBeCloseTo(Math.sqrt((0.0001 + 0.0004 + 0.0009) / 3), 12);
  });

  it('uses the minimum over the path, not the end point', () => {
    // sigma_1 = 0.02, level -0.069282; path -0.02, -0.05, -0.04: no event
    const label = riskLabelAt(bars, 1, params);
    expect(label!.event).toBe(0);
    expect(label!.minCumulativeReturn).toBeCloseTo(-0.05, 12);
    expect(label!.horizonReturn).toBeCloseTo(-0.04, 12);
  });

  it('gives no label to bars whose horizon is unfinished', () => {
    expect(riskLabels(bars, params).map((l) => l !== null)).toEqual([true, true, true, false, false, false]);
  });

  it('gives no label without a positive sigma or with a non-finite return in the horizon', () => {
    expect(riskLabelAt([bar(0, 0), bar(0.1), bar(0.1)], 0, { horizon: 2, k: 2 })).toBeNull();
    expect(riskLabelAt([bar(0), bar(Number.NaN), bar(0.1)], 0, { horizon: 2, k: 2 })).toBeNull();
  });

  it('never depends on bars after t + H', () => {
    const returns = fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), {
      minLength: 12,
      maxLength: 40,
    });
    fc.assert(
      fc.property(returns, fc.nat(), fc.double({ min: -1, max: 1, noNaN: true }), (rs, tSeed, noise) => {
        const series = rs.map((r, i) => bar(r, 0.005 + (i % 3) * 0.005));
        const horizon = 4;
        const t = tSeed % (series.length - horizon - 1);
        const before = riskLabelAt(series, t, { horizon, k: 2 });
        const changed = series.map((b, i) => (i > t + horizon ? bar(b.logReturn + noise, b.ewmaVol * 2) : b));
        expect(riskLabelAt(changed, t, { horizon, k: 2 })).toEqual(before);
      }),
    );
  });
});
