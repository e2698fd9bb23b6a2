import { describe, expect, it } from 'vitest';
import { figure, percentile, round, spread } from '../../../bench/bench-stats.js';

describe('spread', () => {
  it('takes the middle value of an odd count and the min and max', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
  });

  it('averages the middle two of an even count', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it('ignores non-finite samples and refuses none', () => {
    expect(spread([Number.NaN, 2, Number.POSITIVE_INFINITY])).toEqual({ median: 2, min: 2, max: 2, runs: 1 });
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('figure', () => {
  it('puts each median at its key, the spread beside it, and null for no samples', () => {
    const f = figure({ a: [1, 2, 3000.4], b: [] });
    expect(f.a).toBe(2);
    expect(f.b).toBeNull();
    expect(f.spread.a).toEqual({ median: 2, min: 1, max: 3000, runs: 3 });
    expect(f.spread.b).toBeUndefined();
  });

  it('rounds to integers above 100 and 3 significant digits below', () => {
    expect(round(1234.56)).toBe(1235);
    expect(round(0.012345)).toBe(0.0123);
  });
});
