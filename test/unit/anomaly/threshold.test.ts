import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bufferedRuns,
  chooseEpsilon,
  DEFAULT_THRESHOLD_PARAMS,
  type EpsilonChoice,
  pruneSequences,
  type ThresholdParams,
} from '../../../services/models/anomaly/dynamic-threshold.js';
import { StreamingThreshold } from '../../../services/models/anomaly/streaming-threshold.js';

/** Deterministic noise in [0, 1). */
function noise(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  });
}

const params: ThresholdParams = {
  ...DEFAULT_THRESHOLD_PARAMS,
  windowSize: 300,
  minWindow: 50,
  errorBuffer: 5,
};

describe('bufferedRuns', () => {
  it('widens points above epsilon by buffer-1 and merges touching runs', () => {
    const v = [0, 0, 5, 0, 0, 0, 0, 0, 6, 0];
    const { runs, covered } = bufferedRuns(v, 1, 2);
    expect(runs).toEqual([
      { start: 1, end: 3, max: 5 },
      { start: 7, end: 9, max: 6 },
    ]);
    expect(covered).toBe(6);
    expect(bufferedRuns(v, 1, 4).runs).toEqual([{ start: 0, end: 9, max: 6 }]);
  });
});

describe('chooseEpsilon', () => {
  it('puts epsilon between the noise and a clear spike', () => {
    const v = noise(300).map((x) => 0.5 + 0.1 * x);
    v[200] = 5;
    const c = chooseEpsilon(v, params);
    expect(c.epsilon).toBeLessThan(5);
    expect(c.epsilon).toBeGreaterThan(0.6);
    expect(c.z).toBeLessThan(params.zMax);
  });
  it('falls back to mean + zMax * std (floored) on a flat window', () => {
    const c = chooseEpsilon(new Array(100).fill(0.3), params);
    expect(c.std).toBe(0);
    expect(c.epsilon).toBe(params.minEpsilon);
    expect(chooseEpsilon(new Array(100).fill(2), params).epsilon).toBe(2);
  });
});

/**
 * The straightforward chooseEpsilon (every z of the grid: one pass for the kept sums, then
 * bufferedRuns), as it was before the one-pass version with the skip above the window maximum.
 */
function referenceChooseEpsilon(values: ArrayLike<number>, p: ThresholdParams): EpsilonChoice {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - mean) ** 2;
  const rawStd = n > 0 ? Math.sqrt(ss / n) : 0;
  const std = rawStd > 1e-12 + 1e-9 * Math.abs(mean) ? rawStd : 0;
  let best: EpsilonChoice = { epsilon: mean + p.zMax * std, z: p.zMax, mean, std, objective: 0 };
  if (n > 0 && std > 0 && mean > 0) {
    let bestObjective = Number.NEGATIVE_INFINITY;
    for (let z = p.zMin; z < p.zMax - 1e-9; z += p.zStep) {
      const epsilon = mean + z * std;
      let keptSum = 0;
      let keptSq = 0;
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        if (v < epsilon) {
          keptSum += v;
          keptSq += v * v;
          kept++;
        }
      }
      if (kept === n) continue;
      const { runs, covered } = bufferedRuns(values, epsilon, p.errorBuffer);
      const sequences = runs.filter((r) => r.end > r.start).length;
      const keptMean = kept > 0 ? keptSum / kept : 0;
      const keptStd = kept > 0 ? Math.sqrt(Math.max(0, keptSq / kept - keptMean * keptMean)) : 0;
      const objective = ((mean - keptMean) / mean + (std - keptStd) / std) / (sequences ** 2 + covered);
      if (objective >= bestObjective && sequences <= p.maxSequences && covered < n * p.maxAnomalousFraction) {
        bestObjective = objective;
        best = { epsilon, z, mean, std, objective };
      }
    }
  }
  return { ...best, epsilon: Math.max(best.epsilon, p.minEpsilon) };
}

describe('chooseEpsilon equals the straightforward version bit for bit', () => {
  // Smoothed-error-like windows: a noisy base with a few spikes and plateaus, sometimes flat.
  const windows = fc
    .record({
      n: fc.integer({ min: 1, max: 400 }),
      base: fc.double({ min: 0, max: 3, noNaN: true }),
      spread: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 2, noNaN: true })),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
      spikes: fc.array(
        fc.record({
          at: fc.double({ min: 0, max: 1, noNaN: true }),
          width: fc.integer({ min: 1, max: 40 }),
          height: fc.double({ min: 0, max: 30, noNaN: true }),
        }),
        { maxLength: 8 },
      ),
    })
    .map(({ n, base, spread, seed, spikes }) => {
      const v = noise(n, seed).map((x) => base + spread * x);
      for (const s of spikes) {
        const from = Math.floor(s.at * n);
        for (let i = from; i < Math.min(n, from + s.width); i++) v[i] = (v[i] as number) + s.height;
      }
      return v;
    });
  const grids = fc.record({
    errorBuffer: fc.integer({ min: 1, max: 30 }),
    maxSequences: fc.integer({ min: 1, max: 8 }),
    zStep: fc.constantFrom(0.25, 0.5, 1),
  });

  it('on random windows and parameters', () => {
    fc.assert(
      fc.property(windows, grids, (v, g) => {
        const p = { ...DEFAULT_THRESHOLD_PARAMS, ...g };
        const fast = chooseEpsilon(v, p);
        const reference = referenceChooseEpsilon(v, p);
        expect(fast).toEqual(reference);
        expect(Object.is(fast.epsilon, reference.epsilon)).toBe(true);
        expect(Object.is(fast.objective, reference.objective)).toBe(true);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('through a StreamingThreshold fed a long stream (every row re-chosen)', () => {
    const p = { ...DEFAULT_THRESHOLD_PARAMS, windowSize: 500, minWindow: 50, errorBuffer: 20 };
    const t = new StreamingThreshold(p);
    const v = noise(3000, 11).map((x, i) => 0.4 + 0.2 * x + (i % 700 > 690 ? 3 : 0));
    const window: number[] = [];
    for (const x of v) {
      t.update(x);
      window.push(x);
      if (window.length > p.windowSize) window.shift();
      if (window.length >= p.minWindow) expect(t.lastChoice).toEqual(referenceChooseEpsilon(window, p));
    }
  });
});

describe('pruneSequences', () => {
  it('keeps sequences standing out by at least p and drops the tail of small steps', () => {
    // maxima 10, 9.5, 5 and the nominal max 4.8: 10 -> 9.5 is a small drop (marked), 9.5 -> 5 a
    // big one (marks cleared), 5 -> 4.8 small again: only the 5 sequence is pruned.
    const v = [1, 10, 1, 1, 9.5, 1, 1, 5, 1, 4.8];
    const runs = [
      { start: 1, end: 1, max: 10 },
      { start: 4, end: 4, max: 9.5 },
      { start: 7, end: 7, max: 5 },
    ];
    expect(pruneSequences(v, runs, 0.13).map((r) => r.max)).toEqual([10, 9.5]);
  });
  it('prunes everything when nothing stands out from the nominal values', () => {
    const v = [1, 2, 1, 1.9];
    expect(pruneSequences(v, [{ start: 1, end: 1, max: 2 }], 0.13)).toEqual([]);
  });
});

describe('StreamingThreshold', () => {
  it('flags a clear spike and nothing else in noisy data', () => {
    const t = new StreamingThreshold(params);
    const v = noise(400, 7).map((x) => 0.5 + 0.1 * x);
    v[350] = 4;
    const flagged = v.map((x) => t.update(x).isAnomaly);
    expect(flagged[350]).toBe(true);
    expect(flagged.filter(Boolean)).toHaveLength(1);
  });
  it('never flags a flat series', () => {
    const t = new StreamingThreshold(params);
    for (let i = 0; i < 400; i++) expect(t.update(0.25).isAnomaly).toBe(false);
  });
  it('returns NaN epsilon until minWindow values were seen', () => {
    const t = new StreamingThreshold(params);
    expect(t.update(1).epsilon).toBeNaN();
  });
});
