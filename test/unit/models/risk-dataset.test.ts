import { describe, expect, it } from 'vitest';
import {
  buildRiskDataset,
  type RiskDatasetOptions,
  resolveSplitBoundaries,
  sequenceFeatures,
} from '../../../services/models/risk/risk-dataset.js';
import type { JoinedBar } from '../../../services/shared/contracts/sequence-batch.js';
import {
  DAY_MS,
  SYNTHETIC_FEATURES,
  SYNTHETIC_START,
  syntheticJoinedBars,
} from '../../fixtures/synthetic-joined-bars.js';

const series = ['AAA', 'BBB', 'CCC'].map((symbol, i) => ({
  symbol,
  bars: syntheticJoinedBars(symbol, 200, i + 1),
}));
const validationStart = SYNTHETIC_START + 121 * DAY_MS;
const testStart = SYNTHETIC_START + 161 * DAY_MS;
const options: RiskDatasetOptions = {
  seqLen: 10,
  labels: { horizon: 5, k: 2 },
  features: SYNTHETIC_FEATURES,
  split: { validationStart, testStart },
};

describe('buildRiskDataset', () => {
  const ds = buildRiskDataset(series, options);

  it('splits by time and purges the H samples before each boundary', () => {
    // bar i has barEnd START + (i+1) day: train bars 0..119, validation 120..159, test 160..199.
    // train samples t = 9..114 (t+5 <= 119), validation 120..154, test 160..194 per symbol.
    expect(ds.train.size).toBe(3 * 106);
    expect(ds.validation.size).toBe(3 * 35);
    expect(ds.test.size).toBe(3 * 35);
    const horizon = 5 * DAY_MS;
    expect(Math.max(...ds.train.barTimes) + horizon).toBeLessThan(validationStart);
    expect(Math.min(...ds.validation.barTimes)).toBeGreaterThanOrEqual(validationStart);
    expect(Math.max(...ds.validation.barTimes) + horizon).toBeLessThan(testStart);
    expect(Math.min(...ds.test.barTimes)).toBeGreaterThanOrEqual(testStart);
  });

  it('lays out the tensors as [N, L, F], [N, M], [N, S] with labels', () => {
    expect(ds.train.market.length).toBe(ds.train.size * 10 * SYNTHETIC_FEATURES.market.length);
    expect(ds.train.macro.length).toBe(ds.train.size * 4);
    expect(ds.train.sentiment.length).toBe(ds.train.size * 5);
    expect(ds.train.event.length).toBe(ds.train.size);
    expect(new Set(ds.train.event)).toEqual(new Set([0, 1]));
  });

  it('fits the market scaling on real bars: the volumeZ of filled bars does not inflate the std', () => {
    const withHolidays = series.map((s) => ({
      symbol: s.symbol,
      bars: s.bars.map((jb, i) =>
        i % 20 === 7 ? { ...jb, bar: { ...jb.bar, filled: true, volume: 0, volumeZ: -90 } } : jb,
      ),
    }));
    const clean = buildRiskDataset(
      series.map((s) => ({ symbol: s.symbol, bars: s.bars.filter((_, i) => i % 20 !== 7) })),
      options,
    );
    const holidays = buildRiskDataset(withHolidays, options);
    const j = SYNTHETIC_FEATURES.market.indexOf('volumeZ');
    expect(holidays.scaler.market.std[j]).toBeCloseTo(clean.scaler.market.std[j] as number, 12);
    expect(holidays.scaler.market.mean[j]).toBeCloseTo(clean.scaler.market.mean[j] as number, 12);
    // The filled bars still reach the drift reference and are scaled (clipped) like any bar.
    const d = holidays.trainingDistribution.find((x) => x.name === 'volumeZ');
    expect(d?.min).toBe(-90);
    expect(
      Math.min(...holidays.train.market.filter((_, k) => k % SYNTHETIC_FEATURES.market.length === j)),
    ).toBe(-5);
  });

  it('fits the scaler on train bars only', () => {
    const perturbed = series.map((s) => ({
      symbol: s.symbol,
      bars: s.bars.map((jb) =>
        jb.bar.barEnd >= validationStart
          ? { ...jb, bar: { ...jb.bar, logReturn: 5, volumeZ: 9 }, macro: jb.macro.map((v) => v + 100) }
          : jb,
      ),
    }));
    const other = buildRiskDataset(perturbed, options);
    expect(other.scaler).toEqual(ds.scaler);
    expect(other.train.market).toEqual(ds.train.market);
  });

  it('keeps holdout symbols out of training and evaluates them after the train period', () => {
    const withHoldout = buildRiskDataset(series, { ...options, holdoutSymbols: ['CCC'] });
    expect(new Set(withHoldout.train.symbols)).toEqual(new Set(['AAA', 'BBB']));
    expect(new Set(withHoldout.validation.symbols)).toEqual(new Set(['AAA', 'BBB']));
    expect(new Set(withHoldout.holdout.symbols)).toEqual(new Set(['CCC']));
    expect(withHoldout.holdout.size).toBe(70);
    expect(Math.min(...withHoldout.holdout.barTimes)).toBeGreaterThanOrEqual(validationStart);
    expect(withHoldout.symbols).toEqual(['AAA', 'BBB']);
  });

  it('summarises the raw train distribution of every feature', () => {
    expect(ds.trainingDistribution.map((d) => `${d.group}:${d.name}`)).toEqual([
      ...SYNTHETIC_FEATURES.market.map((n) => `market:${n}`),
      ...SYNTHETIC_FEATURES.macro.map((n) => `macro:${n}`),
      ...SYNTHETIC_FEATURES.sentiment.map((n) => `sentiment:${n}`),
    ]);
    // imbalance and CPI.change are constant in the fixture: warned about
    expect(ds.warnings.some((w) => w.startsWith('market feature imbalance is constant (0)'))).toBe(true);
    const logReturn = ds.trainingDistribution[0]!;
    expect(logReturn.count).toBe(3 * 120);
    expect(logReturn.fractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('never lets bars after t change the features of t', () => {
    const bars = series[0]!.bars;
    const t = 50;
    const before = sequenceFeatures(bars, t, 10, ds.scaler);
    const changed: JoinedBar[] = bars.map((jb, i) =>
      i > t
        ? { bar: { ...jb.bar, logReturn: 1, ewmaVol: 1 }, macro: [9, 9, 9, 9], sentiment: [9, 9, 9, 9, 9] }
        : jb,
    );
    expect(sequenceFeatures(changed, t, 10, ds.scaler)).toEqual(before);
  });

  it('splits by fractions of distinct bar times', () => {
    const times = Array.from({ length: 100 }, (_, i) => i * 10);
    expect(resolveSplitBoundaries({ trainFraction: 0.7, validationFraction: 0.15 }, times)).toEqual({
      validationStart: 700,
      testStart: 850,
    });
  });

  it('rejects unordered series, wrong vector widths and unknown holdout symbols', () => {
    const bars = series[0]!.bars;
    expect(() => buildRiskDataset([{ symbol: 'AAA', bars: [bars[1]!, bars[0]!] }], options)).toThrow(
      /not time-ordered at bar 1/,
    );
    const narrow = bars.map((jb) => ({ ...jb, macro: [1, 2] }));
    expect(() => buildRiskDataset([{ symbol: 'AAA', bars: narrow }], options)).toThrow(
      /expected 4 macro and 5 sentiment values, got 2 and 5/,
    );
    expect(() => buildRiskDataset(series, { ...options, holdoutSymbols: ['ZZZ'] })).toThrow(
      /holdout symbol ZZZ is not in the data/,
    );
  });
});
