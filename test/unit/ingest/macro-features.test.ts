import { describe, expect, it } from 'vitest';
import { MacroFeatureCalculator } from '../../../services/ingest/macro/macro-feature-calculator.js';
import { macroFeatureKey } from '../../../services/ingest/macro/macro-transform.js';
import { macro } from './ingest-fixtures.js';

const release = (period: number, actual: number, over: Parameters<typeof macro>[0] = {}) =>
  macro({
    indicatorId: 'US.CPI.YOY',
    periodEnd: period * 1_000,
    releaseTime: period * 1_000 + 500,
    actual,
    ...over,
  });

describe('MacroFeatureCalculator', () => {
  it('computes zScore over earlier periods, change and surprise by hand', () => {
    const calc = new MacroFeatureCalculator({ window: 4, minHistory: 3 });
    const f1 = calc.next(release(1, 1, { previous: 0.5 }));
    expect(f1).toMatchObject({ value: 1, zScore: 0, change: 0.5, surprise: null }); // change from the record's previous
    calc.next(release(2, 2));
    const f3 = calc.next(release(3, 4, { consensus: 3 }));
    expect(f3).toMatchObject({ zScore: 0, change: 2, surprise: null }); // only 2 earlier periods
    const f4 = calc.next(release(4, 7));
    expect(f4.zScore).toBeCloseTo((7 - 7 / 3) / Math.sqrt(7 / 3), 12);
    const f5 = calc.next(release(5, 11, { consensus: 10 }));
    // Earlier values 1, 2, 4, 7: mean 3.5, sample sd sqrt(7); changes 1, 2, 3: sd 1.
    expect(f5.zScore).toBeCloseTo((11 - 3.5) / Math.sqrt(7), 12);
    expect(f5.change).toBe(4);
    expect(f5.surprise).toBeCloseTo(1, 12);
    // Window 4: period 1 drops out for period 6.
    const f6 = calc.next(release(6, 11));
    const xs = [2, 4, 7, 11];
    const m = 6;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / 3);
    expect(f6.zScore).toBeCloseTo((11 - m) / sd, 12);
    expect(f6.change).toBe(0);
  });

  it('a revision replaces its period; later periods see the revised value', () => {
    const calc = new MacroFeatureCalculator({ window: 10, minHistory: 2 });
    calc.next(release(1, 1));
    calc.next(release(2, 2));
    const revised = calc.next(release(2, 3, { releaseTime: 9_000 }));
    expect(revised.change).toBe(2); // vs period 1, not vs the first print of period 2
    const f3 = calc.next(release(3, 4, { releaseTime: 9_500 }));
    expect(f3.change).toBe(1);
    expect(macroFeatureKey(revised)).toBe('US.CPI.YOY|2000');
  });

  it('never uses a release published after the one being computed (no look-ahead)', () => {
    const calc = new MacroFeatureCalculator({ window: 10, minHistory: 2 });
    calc.next(release(1, 1, { releaseTime: 100 }));
    calc.next(release(2, 50, { releaseTime: 5_000 }));
    // Period 3 arrives late but was published at 4000, before period 2's release at 5000.
    const f = calc.next(release(3, 3, { releaseTime: 4_000 }));
    expect(f.change).toBe(2); // against period 1, the only one public at 4000
  });
});
