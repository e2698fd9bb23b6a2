import { describe, expect, it } from 'vitest';
import { AnomalyScorer } from '../../../services/models/anomaly/anomaly-scorer.js';
import { DEFAULT_TRACKER_PARAMS } from '../../../services/models/anomaly/anomaly-tracker.js';
import { bar, MINUTE, sequenceBatch } from './anomaly-fixtures.js';

const T0 = 1_700_000_000_000;
// No warm-up: the first compared bar already gets z = error / 0.05 (the absolute std floor).
const tracker = {
  ...DEFAULT_TRACKER_PARAMS,
  normalizer: { ...DEFAULT_TRACKER_PARAMS.normalizer, warmup: 0 },
};

/** One window of L = 2 bars x F = 2 features whose newest bar has the scaled values (a, b). */
function windowOf(symbol: string, barEnd: number, a: number, b: number) {
  return {
    market: Float32Array.from([0, 0, a, b]),
    bar: bar(symbol, barEnd, { logReturn: 0.01, hlRange: 0.02 }),
  };
}

function batchOf(...windows: ReturnType<typeof windowOf>[]) {
  const market = new Float32Array(windows.length * 4);
  windows.forEach((w, i) => {
    market.set(w.market, i * 4);
  });
  return sequenceBatch(
    market,
    2,
    2,
    windows.map((w) => w.bar),
  );
}

describe('AnomalyScorer', () => {
  const make = () =>
    new AnomalyScorer({
      marketFeatures: ['logReturn', 'hlRange'],
      targetFeatures: ['logReturn', 'hlRange'],
      tracker,
    });

  it("compares each symbol's newest bar with the forecast made from its previous window", () => {
    const s = make();
    const first = s.score(
      batchOf(windowOf('AAA', T0, 1, 1), windowOf('BBB', T0, 5, 5)),
      Float32Array.from([1, 1, 5, 5]),
    );
    expect(first.map((r) => r.ready)).toEqual([false, false]);
    // AAA's forecast was (1, 1); its next bar is (1.1, 1): error (0.1, 0) -> z (2, 0).
    const [aaa] = s.score(batchOf(windowOf('AAA', T0 + MINUTE, 1.1, 1)), Float32Array.from([0, 0]));
    expect(aaa!.ready).toBe(true);
    expect(aaa!.smoothedError).toBeCloseTo(Math.SQRT2, 5);
    expect(aaa!.contributions).toEqual([
      { feature: 'logReturn', value: 0.01, contribution: 1 },
      { feature: 'hlRange', value: 0.02, contribution: 0 },
    ]);
    expect(aaa!.score).toBeGreaterThanOrEqual(0);
    expect(aaa!.score).toBeLessThanOrEqual(1);
    expect(s.symbols.sort()).toEqual(['AAA', 'BBB']);
  });

  it('does not compare across a gap of missing bars', () => {
    const s = make();
    s.score(batchOf(windowOf('AAA', T0, 1, 1)), Float32Array.from([1, 1]));
    const [late] = s.score(batchOf(windowOf('AAA', T0 + 5 * MINUTE, 9, 9)), Float32Array.from([9, 9]));
    expect(late!.ready).toBe(false);
    const [next] = s.score(batchOf(windowOf('AAA', T0 + 6 * MINUTE, 9, 9)), Float32Array.from([9, 9]));
    expect(next!.ready).toBe(true);
  });

  it('repeats the verdict for a replayed bar and ignores older ones', () => {
    const s = make();
    s.score(batchOf(windowOf('AAA', T0, 1, 1)), Float32Array.from([1, 1]));
    const [a] = s.score(batchOf(windowOf('AAA', T0 + MINUTE, 2, 1)), Float32Array.from([2, 1]));
    const [again] = s.score(batchOf(windowOf('AAA', T0 + MINUTE, 7, 7)), Float32Array.from([7, 7]));
    expect(again).toEqual(a);
    const [old] = s.score(batchOf(windowOf('AAA', T0, 1, 1)), Float32Array.from([1, 1]));
    expect(old!.ready).toBe(false);
  });

  it('rejects forecasts of the wrong shape and unknown targets', () => {
    const s = make();
    expect(() => s.score(batchOf(windowOf('AAA', T0, 1, 1)), new Float32Array(3))).toThrow(
      /expected 1 x 2 forecasts/,
    );
    expect(() => new AnomalyScorer({ marketFeatures: ['a'], targetFeatures: ['b'] })).toThrow(
      /not a market feature/,
    );
  });
});
