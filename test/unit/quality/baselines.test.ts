import { describe, expect, it } from 'vitest';
import { fitLogistic } from '../../../services/models/evaluation/logistic-regression.js';
import { type BaselineContext, thresholdForRate } from '../../../services/quality/baselines/baseline.js';
import { ewmaVolSeries, fitEwmaVolBaseline } from '../../../services/quality/baselines/ewma-vol-baseline.js';
import { fitForestBaseline } from '../../../services/quality/baselines/forest-baseline.js';
import { fitLogisticBaseline } from '../../../services/quality/baselines/logistic-baseline.js';
import { walkForwardSplit } from '../../../services/quality/walk-forward.js';
import type { JoinedBar } from '../../../services/shared/contracts/sequence-batch.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';

const labels = { horizon: 5, k: 2 };
const seqLen = 10;
const CUTOFF_BAR = 260;

function history(): Map<string, JoinedBar[]> {
  return new Map(['AAA', 'BBB'].map((s, i) => [s, syntheticJoinedBars(s, 400, 11 + i)]));
}

/** The same history with every bar at or after the cutoff replaced by something else entirely. */
function withDifferentFuture(bars: Map<string, JoinedBar[]>, cutoff: number): Map<string, JoinedBar[]> {
  return new Map(
    [...bars].map(([s, list]) => [
      s,
      list.map((jb) =>
        jb.bar.barEnd < cutoff
          ? jb
          : {
              bar: { ...jb.bar, logReturn: -5 * jb.bar.logReturn - 0.03, ewmaVol: 0.2, volumeZ: 9 },
              macro: jb.macro.map((v) => v * -3 + 7),
              sentiment: jb.sentiment.map(() => 1),
            },
      ),
    ]),
  );
}

const fitBaseline = {
  ewmaVol: fitEwmaVolBaseline,
  logistic: fitLogisticBaseline,
  forest: (ctx: BaselineContext, fit: Parameters<typeof fitLogisticBaseline>[1]) =>
    fitForestBaseline(ctx, fit, {
      trees: 5,
      maxDepth: 3,
      minSamplesPerLeaf: 10,
      maxFeatures: 0.7,
      maxRows: 300,
      seed: 3,
    }),
};

describe('walk-forward split', () => {
  it('fit samples end their label horizon before the cutoff; evaluation starts at it', () => {
    const bars = history();
    const cutoff = ((bars.get('AAA') as JoinedBar[])[CUTOFF_BAR] as JoinedBar).bar.barEnd;
    const split = walkForwardSplit(bars, { cutoff, seqLen, labels });
    for (const s of split.fit) {
      const list = bars.get(s.symbol) as JoinedBar[];
      expect((list[s.t + labels.horizon] as JoinedBar).bar.barEnd).toBeLessThan(cutoff);
    }
    expect(split.evaluate.every((s) => s.barEnd >= cutoff)).toBe(true);
    expect(split.fit.every((s) => s.t >= seqLen - 1)).toBe(true);
    // The purge: H samples per symbol are on neither side.
    const perSymbol = split.fit.filter((s) => s.symbol === 'AAA').length;
    expect(perSymbol).toBe(CUTOFF_BAR - labels.horizon - (seqLen - 1));
    expect(split.evaluate.filter((s) => s.event === 1).every((s) => s.crossing !== null)).toBe(true);
  });
});

describe('baselines are fitted on pre-cutoff data only', () => {
  const bars = history();
  const cutoff = ((bars.get('AAA') as JoinedBar[])[CUTOFF_BAR] as JoinedBar).bar.barEnd;
  const changed = withDifferentFuture(bars, cutoff);
  const a = walkForwardSplit(bars, { cutoff, seqLen, labels });
  const b = walkForwardSplit(changed, { cutoff, seqLen, labels });

  it('the fit samples do not depend on post-cutoff data', () => {
    expect(b.fit).toEqual(a.fit);
    expect(b.evaluate).not.toEqual(a.evaluate);
  });

  for (const [name, fitOne] of Object.entries(fitBaseline)) {
    it(`${name}: changing post-cutoff bars changes neither the fitted parameters nor fit-period scores`, () => {
      const ctxA: BaselineContext = { bars, labels, marketFeatures: SYNTHETIC_FEATURES.market };
      const ctxB: BaselineContext = { bars: changed, labels, marketFeatures: SYNTHETIC_FEATURES.market };
      const fa = fitOne(ctxA, a.fit);
      const fb = fitOne(ctxB, b.fit);
      expect(fb.params).toEqual(fa.params);
      expect(Array.from(fb.score(b.fit))).toEqual(Array.from(fa.score(a.fit)));
      const scores = fa.score(a.evaluate);
      expect(scores.every((p) => p >= 0 && p <= 1)).toBe(true);
    });
  }
});

describe('baseline pieces', () => {
  it('EWMA vol series is causal and starts at |r_1|', () => {
    const r = [0, 0.02, -0.01, 0.03];
    const s = ewmaVolSeries(r, 0.5);
    expect(s[1]).toBeCloseTo(0.02, 12);
    expect(s[2]).toBeCloseTo(Math.sqrt(0.5 * 0.0004 + 0.5 * 0.0001), 12);
    expect(Array.from(ewmaVolSeries([...r, 1, 2], 0.5).slice(0, 4))).toEqual(Array.from(s));
  });
  it('logistic IRLS recovers the coefficients of a known model', () => {
    const x: number[][] = [];
    const y: number[] = [];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 4000; i++) {
      const a = rnd() * 4 - 2;
      x.push([1, a]);
      y.push(rnd() < 1 / (1 + Math.exp(-(-1 + 2 * a))) ? 1 : 0);
    }
    const w = fitLogistic(x, y, { l2: 0, maxIterations: 50, tolerance: 1e-10 });
    expect(w[0]).toBeCloseTo(-1, 0);
    expect(w[1]).toBeCloseTo(2, 0);
  });
  it('thresholdForRate flags about the requested share', () => {
    const scores = Array.from({ length: 100 }, (_, i) => i / 100);
    const t = thresholdForRate(scores, 0.03);
    expect(scores.filter((s) => s >= t)).toHaveLength(3);
    expect(() => thresholdForRate([], 0.1)).toThrow(/no scores/);
  });
});
