import { describe, expect, it } from 'vitest';
import {
  bufferedRuns,
  chooseEpsilon,
  DEFAULT_THRESHOLD_PARAMS,
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
