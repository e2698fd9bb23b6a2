import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../services/models/training/seeded-random.js';
import { compareAucs, sampleBlocks } from '../../../services/quality/block-bootstrap.js';

describe('block bootstrap of ROC-AUC', () => {
  it('cuts each ticker’s samples into consecutive blocks, never across tickers', () => {
    expect(
      sampleBlocks(
        [
          [0, 1, 2, 3, 4],
          [5, 6],
        ],
        2,
      ),
    ).toEqual([[0, 1], [2, 3], [4], [5, 6]]);
    expect(() => sampleBlocks([[0]], 0)).toThrow(/blockBars must be an integer >= 1, got 0/);
  });

  // Two tickers of 200 bars, events every ~10 bars.
  const n = 400;
  const labels = Float64Array.from({ length: n }, (_, i) => (i % 10 === 3 ? 1 : 0));
  const groups = [Array.from({ length: 200 }, (_, i) => i), Array.from({ length: 200 }, (_, i) => 200 + i)];
  const rng = new SeededRandom(1);
  const noise = Float64Array.from({ length: n }, () => rng.next());

  it('a perfect scorer has AUC 1 in every resample and is always ahead of noise', () => {
    const perfect = Float64Array.from(labels, (y, i) => y + 0.01 * (noise[i] as number));
    const c = compareAucs({ model: perfect, noise }, labels, groups, { resamples: 200 });
    expect(c.scorers.model).toEqual({ rocAuc: 1, low: 1, high: 1 });
    const d = c.differences.noise;
    expect(d?.low).toBeGreaterThan(0.3);
    expect(d?.shareNotAbove).toBe(0);
    expect(c.blocks).toBe(20);
    expect(c.skipped).toBe(0);
  });

  it('the same scores give a zero difference that is never ahead', () => {
    const c = compareAucs({ model: noise, copy: noise }, labels, groups, { resamples: 100 });
    expect(c.differences.copy).toEqual({ rocAuc: 0, low: 0, high: 0, shareNotAbove: 1 });
  });

  it('brackets the point estimate of a weak scorer, and is reproducible by seed', () => {
    const weak = Float64Array.from(labels, (y, i) => 0.3 * y + (noise[i] as number));
    const a = compareAucs({ model: weak, noise }, labels, groups, { resamples: 300, seed: 3 });
    const b = compareAucs({ model: weak, noise }, labels, groups, { resamples: 300, seed: 3 });
    expect(a).toEqual(b);
    const m = a.scorers.model;
    expect(m?.low).toBeLessThan(m?.rocAuc as number);
    expect(m?.high).toBeGreaterThan(m?.rocAuc as number);
    expect(() => compareAucs({ other: weak }, labels, groups)).toThrow(/must include "model"/);
  });
});
