import { describe, expect, it } from 'vitest';
import type { AnomalySplit } from '../../../services/models/anomaly/anomaly-dataset.js';
import { DEFAULT_TRACKER_PARAMS } from '../../../services/models/anomaly/anomaly-tracker.js';
import type { ForecasterSpec } from '../../../services/models/anomaly/forecaster-model.js';
import { periodFalseAlarmRate } from '../../../services/models/anomaly/period-false-alarms.js';
import { SeededRandom } from '../../../services/models/training/seeded-random.js';

const spec: ForecasterSpec = {
  seqLen: 1,
  inputFeatures: ['a', 'b'],
  targetFeatures: ['b'],
  units: 1,
  residual: false,
  seed: 1,
};

/** One split of one-bar windows whose target column b is `errors` (forecasts are all 0). */
function split(symbol: string, errors: number[], start: number): AnomalySplit {
  const n = errors.length;
  const targets = new Float32Array(n * 2);
  errors.forEach((e, i) => {
    targets[i * 2] = 99; // column a is not a target: a huge value there must not count
    targets[i * 2 + 1] = e;
  });
  return {
    count: n,
    inputs: new Float32Array(n * 2),
    targets,
    symbols: errors.map(() => symbol),
    barTimes: errors.map((_, i) => start + i),
  };
}

/** Short smoothing so a 10-row burst moves the smoothed error (the default span is 105). */
const small = {
  ...DEFAULT_TRACKER_PARAMS,
  smoothingSpan: 5,
  threshold: { ...DEFAULT_TRACKER_PARAMS.threshold, windowSize: 200, minWindow: 50, errorBuffer: 5 },
};

const noise = (n: number, seed: number) => {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => 0.1 + 0.05 * rng.next());
};
const zeros = (s: AnomalySplit) => new Float32Array(s.count);
const merge = (a: AnomalySplit, b: AnomalySplit): AnomalySplit => ({
  count: a.count + b.count,
  inputs: Float32Array.of(...a.inputs, ...b.inputs),
  targets: Float32Array.of(...a.targets, ...b.targets),
  symbols: [...a.symbols, ...b.symbols],
  barTimes: [...a.barTimes, ...b.barTimes],
});

describe('false-alarm rate on the held-out period', () => {
  it('counts only period rows, after the threshold warmed up on the bars before them', () => {
    const before = noise(200, 1);
    // A burst before the period: flagged there, but not counted.
    for (let i = 150; i < 160; i++) before[i] = 5;
    const calm = periodFalseAlarmRate(zeros, spec, small, {
      marketFeatures: ['a', 'b'],
      train: split('X', before, 0),
      validation: split('X', noise(60, 2), 1000),
    });
    expect(calm.judged).toBe(60);
    expect(calm.flagged).toBe(0);
    expect(calm.rate).toBe(0);

    const burst = noise(60, 2);
    for (let i = 20; i < 30; i++) burst[i] = 5;
    // The same burst in the period (and none before it, which would have raised the threshold).
    const alarmed = periodFalseAlarmRate(zeros, spec, small, {
      marketFeatures: ['a', 'b'],
      train: split('X', noise(200, 1), 0),
      validation: split('X', burst, 1000),
    });
    expect(alarmed.judged).toBe(60);
    expect(alarmed.flagged).toBeGreaterThan(0);
    expect(alarmed.rate).toBeCloseTo(alarmed.flagged / 60, 12);
  });

  it('keeps one tracker per symbol: a symbol with no history before the period is judged once warm', () => {
    const minWindow = small.threshold.minWindow;
    const result = periodFalseAlarmRate(zeros, spec, small, {
      marketFeatures: ['a', 'b'],
      train: split('X', noise(200, 3), 0),
      validation: merge(split('X', noise(50, 4), 1000), split('Y', noise(minWindow + 30, 5), 1000)),
    });
    // X: all 50 rows; Y: warms up on its own first rows (the threshold needs minWindow errors).
    expect(result.judged).toBeGreaterThan(50);
    expect(result.judged).toBeLessThanOrEqual(50 + 31);
  });
});
