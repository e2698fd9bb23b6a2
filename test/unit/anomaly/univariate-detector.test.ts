import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRACKER_PARAMS } from '../../../services/models/anomaly/anomaly-tracker.js';
import { ensureTfBackend } from '../../../services/models/anomaly/tf-backend.js';
import {
  DEFAULT_UNIVARIATE_PARAMS,
  UnivariateDetector,
  type UnivariateDetectorParams,
} from '../../../services/models/anomaly/univariate-detector.js';
import { jitter } from './anomaly-fixtures.js';

/** A tiny configuration: the same code paths (persistence, first fit, replay, refits), small and fast. */
const tiny: UnivariateDetectorParams = {
  ...DEFAULT_UNIVARIATE_PARAMS,
  seqLen: 4,
  units: 3,
  firstFitAt: 30,
  refitEvery: 25,
  fitHistory: 50,
  maxFitSamples: 32,
  initialEpochs: 2,
  refitEpochs: 1,
  batchSize: 16,
  predictChunk: 8,
  tracker: {
    ...DEFAULT_TRACKER_PARAMS,
    smoothingSpan: 4,
    threshold: { ...DEFAULT_TRACKER_PARAMS.threshold, windowSize: 60, minWindow: 10, errorBuffer: 3 },
    likelihood: {
      ...DEFAULT_TRACKER_PARAMS.likelihood,
      learningPeriod: 10,
      estimationSamples: 10,
      historicWindow: 60,
    },
  },
};

const withRules: UnivariateDetectorParams = {
  ...tiny,
  tracker: { ...tiny.tracker, spatialTolerance: 0.05, deduplication: { level: 0.5, rows: 5 } },
};

const STEP = 300_000;
function series(n: number, seed = 1) {
  const r = jitter(seed);
  const timestamps = Array.from({ length: n }, (_, i) => 1_400_000_000_000 + i * STEP);
  const values = timestamps.map((_, i) => 10 + 3 * Math.sin(i / 6) + r());
  if (n > 90) values[90] = 40;
  return { timestamps, values };
}

async function run(
  timestamps: number[],
  values: number[],
  params: UnivariateDetectorParams = tiny,
): Promise<number[]> {
  const d = new UnivariateDetector(params);
  try {
    return Array.from(await d.pushAll(timestamps, values));
  } finally {
    d.dispose();
  }
}

beforeAll(async () => {
  await ensureTfBackend();
});

describe('UnivariateDetector', () => {
  it('scores online: the score of row i does not change when later rows change or are removed', async () => {
    const { timestamps, values } = series(110);
    const full = await run(timestamps, values);
    const cut = 70; // after the first fit (30) and a refit (55)
    const altered = values.map((v, i) => (i > cut ? v * 3 + 50 : v));
    const changed = await run(timestamps, altered);
    const truncated = await run(timestamps.slice(0, cut + 1), values.slice(0, cut + 1));
    expect(changed.slice(0, cut + 1)).toEqual(full.slice(0, cut + 1));
    expect(truncated).toEqual(full.slice(0, cut + 1));
    expect(changed.slice(cut + 1)).not.toEqual(full.slice(cut + 1));
  });

  it('scores online with the spatial rule and deduplication on', async () => {
    const { timestamps, values } = series(110);
    const full = await run(timestamps, values, withRules);
    const cut = 70;
    const altered = values.map((v, i) => (i > cut ? v * 3 + 50 : v));
    const changed = await run(timestamps, altered, withRules);
    const truncated = await run(timestamps.slice(0, cut + 1), values.slice(0, cut + 1), withRules);
    expect(changed.slice(0, cut + 1)).toEqual(full.slice(0, cut + 1));
    expect(truncated).toEqual(full.slice(0, cut + 1));
    const d = new UnivariateDetector(withRules);
    const single: number[] = [];
    for (let i = 0; i < values.length; i++) single.push(await d.push(timestamps[i]!, values[i]!));
    d.dispose();
    expect(single).toEqual(full);
  });

  it('scores a value beyond every earlier one 1, counting the rows before the first forecast', async () => {
    const { timestamps, values } = series(110);
    expect((await run(timestamps, values, withRules))[90]).toBe(1);
    const early = values.map((v, i) => (i === 1 ? 100 : v)); // row 1 has no forecast of its own
    expect((await run(timestamps, early, withRules))[90]).toBeLessThan(1);
  });

  it('gives the same scores row by row as in one call', async () => {
    const { timestamps, values } = series(64, 3);
    const batched = await run(timestamps, values);
    const d = new UnivariateDetector(tiny);
    const single: number[] = [];
    for (let i = 0; i < values.length; i++) single.push(await d.push(timestamps[i]!, values[i]!));
    d.dispose();
    expect(single).toEqual(batched);
  });

  it('scores in [0, 1], 0 before the first full window, and reacts to a spike', async () => {
    const { timestamps, values } = series(110);
    const s = await run(timestamps, values);
    expect(s.slice(0, tiny.seqLen).every((x) => x === 0)).toBe(true);
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    const spike = s[90]!;
    expect(spike).toBeGreaterThan(Math.max(...s.slice(40, 89)));
  });

  it('scores with the cpu engine as with the tfjs reference, to float32 rounding', async () => {
    const { timestamps, values } = series(200, 5);
    const cpu = await run(timestamps, values, { ...tiny, engine: 'cpu' });
    const reference = await run(timestamps, values, { ...tiny, engine: 'tfjs' });
    const diff = Math.max(...cpu.map((x, i) => Math.abs(x - (reference[i] as number))));
    expect(diff).toBeLessThan(1e-4);
  });
});
