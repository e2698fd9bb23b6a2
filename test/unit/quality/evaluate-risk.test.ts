import { describe, expect, it } from 'vitest';
import type { BundleMetadata } from '../../../services/models/bundle/bundle-schemas.js';
import type { RiskCalibration } from '../../../services/models/risk/risk-calibration.js';
import type { RiskOutputs, RiskRuntime } from '../../../services/models/runtime/risk-runtime.js';
import { EvaluationDataError, evaluateRisk } from '../../../services/quality/evaluate-risk.js';
import { poolFolds } from '../../../services/quality/pooled-folds.js';
import { walkForwardSplit } from '../../../services/quality/walk-forward.js';
import type { ScalerParams } from '../../../services/shared/contracts/scaler.js';
import type { JoinedBar, SequenceBatch } from '../../../services/shared/contracts/sequence-batch.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';

const SEQ_LEN = 6;
const bars = new Map(['AAA', 'BBB'].map((s, i) => [s, syntheticJoinedBars(s, 300, 5 + i)]));
const cutoffBar = ((bars.get('AAA') as JoinedBar[])[200] as JoinedBar).bar;

const scaling = (names: readonly string[]) => ({
  names: [...names],
  mean: names.map(() => 0),
  std: names.map(() => 1),
});
const scaler: ScalerParams = {
  market: scaling(SYNTHETIC_FEATURES.market),
  macro: scaling(SYNTHETIC_FEATURES.macro),
  sentiment: scaling(SYNTHETIC_FEATURES.sentiment),
  clip: 5,
};

function metadata(testStart: string): BundleMetadata {
  return {
    formatVersion: 1,
    kind: 'RISK',
    version: 'risk-20240102-030405-abcdef0',
    createdAt: '2024-01-02T03:04:05.000Z',
    seed: 1,
    seqLen: SEQ_LEN,
    label: { horizon: 5, k: 2 },
    hyperparameters: {},
    data: {
      from: '2020-01-01T00:00:00.000Z',
      to: '2020-12-31T00:00:00.000Z',
      symbols: ['AAA'],
      holdoutSymbols: ['BBB'],
      boundaries: { validationStart: '2020-01-01T00:00:00.000Z', testStart },
      samples: {},
    },
    metrics: {},
    code: { packageVersion: '0.1.0', gitCommit: null },
    trainedOn: 'cpu',
    trainingDistribution: [],
  };
}

const threshold = (severity: 'INFO' | 'WARNING' | 'CRITICAL', enter: number) => ({
  severity,
  enter,
  exit: enter * 0.8,
  rule: 'top-fraction' as const,
  validationPrecision: 0,
  validationRecall: 0,
  validationFlaggedRate: 0.05,
});
const calibration: RiskCalibration = {
  eventThresholds: [threshold('INFO', 0.3), threshold('WARNING', 0.5), threshold('CRITICAL', 0.7)],
  hysteresis: 0.8,
  fittedOn: 'validation',
  validationSize: 100,
  validationPositives: 5,
};

/** A model that "predicts" from the scaled last logReturn only, and VaRs of a fixed -1 / -2 (never hit). */
function stubRuntime(): RiskRuntime & { calls: number } {
  const f = SYNTHETIC_FEATURES.market.length;
  return {
    name: 'stub',
    modelVersion: 'stub',
    calls: 0,
    async predict(batch: SequenceBatch): Promise<RiskOutputs> {
      this.calls++;
      const b = batch.size;
      const p = new Float32Array(b);
      for (let i = 0; i < b; i++)
        p[i] = 1 / (1 + Math.exp(100 * (batch.market[((i + 1) * batch.seqLen - 1) * f] as number)));
      const fill = (v: number) => new Float32Array(b).fill(v);
      return {
        size: b,
        eventProbability: p,
        volatility: fill(0.01),
        q01: fill(-2),
        q05: fill(-1),
        var99: fill(-2),
        var95: fill(-1),
        es95: fill(-1.5),
        es99: fill(-2.5),
      };
    },
    async explainEvent() {
      return new Map();
    },
    dispose() {},
  };
}

describe('evaluateRisk', () => {
  it('scores every labelled bar from the cutoff on, in batches, with the documented report shape', async () => {
    const runtime = stubRuntime();
    const testStart = new Date(cutoffBar.barEnd).toISOString();
    const { report, details } = await evaluateRisk(
      bars,
      { metadata: metadata(testStart), scaler, calibration, runtime },
      { batchSize: 64, forest: { trees: 3, maxRows: 200 } },
    );
    const split = walkForwardSplit(bars, {
      cutoff: cutoffBar.barEnd,
      seqLen: SEQ_LEN,
      labels: { horizon: 5, k: 2 },
    });
    expect(report.n).toBe(split.evaluate.length);
    // Bars 200..294 of both symbols (the last 5 have no finished label).
    expect(report.n).toBe(2 * 95);
    expect(runtime.calls).toBe(Math.ceil(report.n / 64));
    expect(report.period).toEqual([
      new Date(cutoffBar.barStart).toISOString().slice(0, 10),
      new Date(((bars.get('AAA') as JoinedBar[])[294] as JoinedBar).bar.barStart).toISOString().slice(0, 10),
    ]);
    expect(Object.keys(report.baselines).sort()).toEqual(['ewmaVol', 'forest', 'logistic']);
    // VaRs far below any return: no exceedances, which Kupiec rejects and Basel calls green.
    expect(report.var.var99.exceedanceRate).toBe(0);
    expect(report.var.var99.baselZone).toBe('green');
    expect(report.var.var95.kupiecP).toBeLessThan(0.001);
    expect(Number.isNaN(report.var.var99.christoffersenP)).toBe(false);
    expect(details.unseenSymbols).toEqual(['BBB']);
    expect(details.model.threshold).toBe(0.5);
    expect(details.fitSamples).toBe(split.fit.length);
    // Served VaR = the head scaled by the adaptive scale; all misses, so it narrowed a little.
    expect(details.varAdaptation.gamma).toBe(0.02);
    expect(details.varAdaptation.head99.exceedances).toBe(0);
    expect(details.varAdaptation.finalScale99).toBeLessThan(1);
    expect(details.varAdaptation.finalScale99).toBeGreaterThan(0.9);
  });

  it('backtests the head as trained with varGamma 0', async () => {
    const testStart = new Date(cutoffBar.barEnd).toISOString();
    const { details, scored } = await evaluateRisk(
      bars,
      { metadata: metadata(testStart), scaler, calibration, runtime: stubRuntime() },
      { batchSize: 64, forest: { trees: 3, maxRows: 200 }, varGamma: 0 },
    );
    expect(details.varAdaptation.finalScale99).toBe(1);
    expect(details.var99).toEqual(details.varAdaptation.head99);
    expect(details.var95).toEqual(details.varAdaptation.head95);
    expect(new Set(scored.var99)).toEqual(new Set([-2]));
  });

  it('refuses data that ends before the cutoff, naming the boundary', async () => {
    await expect(
      evaluateRisk(bars, {
        metadata: metadata('2030-01-01T00:00:00.000Z'),
        scaler,
        calibration,
        runtime: stubRuntime(),
      }),
    ).rejects.toThrow(EvaluationDataError);
    await expect(
      evaluateRisk(bars, {
        metadata: metadata('2030-01-01T00:00:00.000Z'),
        scaler,
        calibration,
        runtime: stubRuntime(),
      }),
    ).rejects.toThrow(/no labelled bar on or after the bundle's validation end 2030-01-01/);
  });

  it('refuses data that starts after the cutoff: the baselines would have nothing to fit', async () => {
    await expect(
      evaluateRisk(bars, {
        metadata: metadata('2019-01-01T00:00:00.000Z'),
        scaler,
        calibration,
        runtime: stubRuntime(),
      }),
    ).rejects.toThrow(/baselines have nothing to fit on/);
  });

  it('scores only its segment with testUntil, and pools folds by within-fold pairs', async () => {
    const aaa = bars.get('AAA') as JoinedBar[];
    const start = (i: number) => new Date((aaa[i] as JoinedBar).bar.barEnd).toISOString();
    const until = (aaa[150] as JoinedBar).bar.barEnd;
    const first = await evaluateRisk(
      bars,
      { metadata: metadata(start(100)), scaler, calibration, runtime: stubRuntime() },
      { forest: { trees: 3, maxRows: 200 }, testUntil: until },
    );
    // Bars 100..149 of both symbols end before bar 150's end.
    expect(first.report.n).toBe(2 * 50);
    expect(first.scored.samples.every((x) => x.barEnd < until)).toBe(true);
    expect(Object.keys(first.scored.scores).sort()).toEqual(['ewmaVol', 'forest', 'logistic', 'model']);
    expect(first.details.until).toBe(new Date(until).toISOString());
    const second = await evaluateRisk(
      bars,
      { metadata: metadata(start(150)), scaler, calibration, runtime: stubRuntime() },
      { forest: { trees: 3, maxRows: 200 } },
    );
    const pooled = poolFolds([first, second], { resamples: 50 });
    expect(pooled.n).toBe(first.report.n + second.report.n);
    expect(pooled.period).toEqual([first.report.period[0], second.report.period[1]]);
    const events = [first, second].map((e) => e.scored.samples.filter((x) => x.event === 1).length);
    expect(pooled.events).toBe((events[0] as number) + (events[1] as number));
    // Within-fold pairs: the pairs-weighted mean of the folds' own ROC-AUCs (a fold without an
    // event has no pair and no ROC-AUC).
    let weighted = 0;
    let pairs = 0;
    [first, second].forEach((e, k) => {
      const p = (events[k] as number) * (e.report.n - (events[k] as number));
      if (p > 0) weighted += e.report.model.rocAuc * p;
      pairs += p;
    });
    expect(events.every((n) => n > 0)).toBe(true);
    const expected = weighted / pairs;
    expect(pooled.rocAuc.model).toBeCloseTo(expected, 12);
    expect(pooled.var99.exceedanceRate).toBe(0);
    expect(pooled.aucIntervals.resamples).toBe(50);
  });
});
