import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AnomalyLikelihood,
  logLikelihoodScore,
} from '../../../services/models/anomaly/anomaly-likelihood.js';
import { thresholdRatioScore } from '../../../services/models/anomaly/anomaly-score-map.js';
import { AnomalyTracker, DEFAULT_TRACKER_PARAMS } from '../../../services/models/anomaly/anomaly-tracker.js';
import { ErrorNormalizer } from '../../../services/models/anomaly/error-normalizer.js';
import { EwmaSmoother } from '../../../services/models/anomaly/ewma-smoother.js';
import { normalUpperTail } from '../../../services/models/anomaly/normal-tail.js';

const small = {
  ...DEFAULT_TRACKER_PARAMS,
  smoothingSpan: 5,
  threshold: { ...DEFAULT_TRACKER_PARAMS.threshold, windowSize: 200, minWindow: 50, errorBuffer: 5 },
  likelihood: {
    ...DEFAULT_TRACKER_PARAMS.likelihood,
    learningPeriod: 20,
    estimationSamples: 30,
    historicWindow: 200,
  },
};

function noise(n: number, seed = 3): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  });
}

describe('EwmaSmoother', () => {
  it('is bias-corrected like pandas ewm(span).mean()', () => {
    const s = new EwmaSmoother(3); // alpha 0.5
    expect(s.update(4)).toBe(4);
    expect(s.update(0)).toBeCloseTo(4 / 3, 12); // (0 + 0.5*4) / (1 + 0.5)
    expect(s.update(0)).toBeCloseTo(1 / 1.75, 12); // 0.25*4 / 1.75
  });
  it('leaves a constant series unchanged', () => {
    const s = new EwmaSmoother(10);
    for (let i = 0; i < 50; i++) expect(s.update(2.5)).toBeCloseTo(2.5, 12);
  });
});

describe('ErrorNormalizer', () => {
  it('is silent during warm-up, then standardises with the statistics before the update', () => {
    const n = new ErrorNormalizer(1, {
      span: 1000,
      warmup: 4,
      relativeFloor: 0,
      absoluteFloor: 0,
      winsorZ: 100,
    });
    const out = new Float64Array(1);
    for (const e of [1, 3, 1, 3]) {
      n.normalize([e], out);
      expect(out[0]).toBe(0);
    }
    // running mean 2, population std 1
    n.normalize([5], out);
    expect(out[0]).toBeCloseTo(3, 12);
  });
  it('floors the std so a constant error gives 0 and a tiny change stays small', () => {
    const n = new ErrorNormalizer(2);
    const out = new Float64Array(2);
    for (let i = 0; i < 100; i++) n.normalize([0.4, 0], out);
    expect(out[0]).toBeCloseTo(0, 9);
    expect(out[1]).toBe(0);
    n.normalize([0.41, 0.001], out);
    expect(Math.abs(out[0]!)).toBeLessThan(0.3); // floor 10% of 0.4
    expect(Math.abs(out[1]!)).toBeLessThan(0.1); // floor 0.05
  });
  it('winsorises the update so one huge error does not mask the next', () => {
    const n = new ErrorNormalizer(1);
    const out = new Float64Array(1);
    const v = noise(300);
    for (const x of v) n.normalize([x], out);
    n.normalize([1000], out);
    n.normalize([3], out);
    expect(out[0]).toBeGreaterThan(3);
  });
});

describe('scores', () => {
  it('thresholdRatioScore is 0.5 at epsilon and monotone in the error', () => {
    expect(thresholdRatioScore(2, 2, 4)).toBe(0.5);
    expect(thresholdRatioScore(4, 2, 4)).toBeCloseTo(16 / 17, 12);
    expect(thresholdRatioScore(0, 2, 4)).toBe(0);
    expect(thresholdRatioScore(1, Number.NaN, 4)).toBe(0);
  });
  it('logLikelihoodScore is 0.5 at the red likelihood 1 - 1e-5', () => {
    expect(logLikelihoodScore(0.99999)).toBeCloseTo(0.5, 6);
    expect(logLikelihoodScore(0)).toBeCloseTo(0, 9);
    expect(logLikelihoodScore(1)).toBe(1);
  });
  it('normalUpperTail matches known values', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(5) / 2.866515718791939e-7).toBeCloseTo(1, 5);
  });
});

describe('AnomalyLikelihood', () => {
  it('is 0.5 while learning, low for ordinary values, red for a burst and yellow right after', () => {
    const l = new AnomalyLikelihood(small.likelihood);
    const v = noise(200, 11);
    const out = v.map((x) => l.update(x));
    expect(out.slice(0, 50).every((x) => x === 0.5)).toBe(true);
    expect(Math.max(...out.slice(60))).toBeLessThan(0.999);
    const burst = [50, 50, 50].map((x) => l.update(x));
    expect(burst[0]).toBeGreaterThan(0.99999);
    expect(burst[1]).toBe(0.999);
  });
});

describe('AnomalyTracker', () => {
  it('keeps every score in [0, 1] and the contributions summing to 1', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })),
          {
            minLength: 1,
            maxLength: 120,
          },
        ),
        (rows) => {
          const t = new AnomalyTracker(2, small);
          for (const [a, b] of rows) {
            const p = t.update([a, b]);
            expect(p.score).toBeGreaterThanOrEqual(0);
            expect(p.score).toBeLessThanOrEqual(1);
            expect(p.thresholdScore).toBeLessThanOrEqual(1);
            expect(p.contributions.reduce((s, c) => s + c, 0)).toBeCloseTo(1, 9);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
  it('flags a burst of errors in one feature and attributes it to that feature', () => {
    const t = new AnomalyTracker(2, small);
    const a = noise(300, 5);
    const b = noise(300, 9);
    let last = t.update([0, 0]);
    for (let i = 0; i < 250; i++) last = t.update([a[i]!, b[i]!]);
    expect(last.isAnomaly).toBe(false);
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push(t.update([a[i]!, 30]));
    expect(burst.some((p) => p.isAnomaly)).toBe(true);
    expect(burst[0]!.contributions[1]).toBeGreaterThan(0.9);
    expect(Math.max(...burst.map((p) => p.score))).toBeGreaterThan(0.5);
  });
  it('never alarms on a flat (zero error) series', () => {
    const t = new AnomalyTracker(1, small);
    for (let i = 0; i < 500; i++) {
      const p = t.update([0]);
      expect(p.isAnomaly).toBe(false);
      expect(p.score).toBeLessThan(0.1);
    }
  });
});
