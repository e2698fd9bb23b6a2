import { describe, expect, it } from 'vitest';
import { brierScore, metricsAtThreshold } from '../../../services/models/evaluation/probability-metrics.js';
import { averagePrecision, rocAuc } from '../../../services/models/evaluation/ranking-metrics.js';
import {
  meanAbsoluteError,
  meanPinballLoss,
  quantileCoverage,
} from '../../../services/models/evaluation/regression-metrics.js';

describe('rocAuc', () => {
  it('matches the textbook example', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });
  it('counts a tied positive/negative pair as one half', () => {
    // pairs: (0.5 vs 0.1)=1, (0.5 vs 0.5)=0.5, (0.9 vs 0.1)=1, (0.9 vs 0.5)=1 -> 3.5 / 4
    expect(rocAuc([0.1, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
  });
  it('is 1 for a perfect ranking, 0 for an inverted one, NaN with one class', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNaN();
  });
  it('rejects inputs of different length', () => {
    expect(() => rocAuc([0.1], [0, 1])).toThrow(/equal length: got 1 and 2/);
  });
});

describe('averagePrecision', () => {
  it('matches the textbook example', () => {
    // 0.8(+): P=1, R=.5; 0.4(-); 0.35(+): P=2/3, R=1 -> .5 + .5 * 2/3
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
  it('lets tied scores enter together', () => {
    // 0.9(+): P=1, R=.5; the tied pair at 0.5 (+,-): P=2/3, R=1
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
  it('is NaN without positives and 1 for a perfect ranking', () => {
    expect(averagePrecision([0.3, 0.2], [0, 0])).toBeNaN();
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
  });
});

describe('brierScore and metricsAtThreshold', () => {
  it('computes the Brier score', () => {
    expect(brierScore([0.1, 0.9, 0.8], [0, 1, 0])).toBeCloseTo((0.01 + 0.01 + 0.64) / 3, 12);
  });
  it('counts score >= threshold as flagged', () => {
    const m = metricsAtThreshold([0.2, 0.6, 0.7, 0.9], [0, 1, 0, 1], 0.6);
    expect(m).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 0, trueNegatives: 1 });
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.8, 12);
    expect(m.flaggedRate).toBe(0.75);
  });
  it('reports 0 precision and F1 when nothing is flagged', () => {
    const m = metricsAtThreshold([0.1, 0.2], [1, 0], 0.5);
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
  });
});

describe('regression metrics', () => {
  it('computes MAE, coverage and pinball loss', () => {
    expect(meanAbsoluteError([1, 2, 3], [2, 2, 5])).toBeCloseTo(1, 12);
    expect(quantileCoverage([0, 0, 0, 0], [-1, 1, 2, -0.5])).toBe(0.5);
    // u = y - q: 1 -> 0.1 * 1; -2 -> 0.9 * 2 = 1.8; mean 0.95
    expect(meanPinballLoss([0, 0], [1, -2], 0.1)).toBeCloseTo(0.95, 12);
  });
});
