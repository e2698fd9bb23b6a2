import { describe, expect, it } from 'vitest';
import {
  type RiskRun,
  renderQualityDoc,
  transferReportSchema,
  transferSection,
  verdict,
} from '../../../services/quality/quality-doc.js';

const scorer = (rocAuc: number | null) => ({
  rocAuc,
  prAuc: 0.05,
  brier: 0.03,
  f1: 0.1,
  precision: 0.1,
  recall: 0.1,
  leadTimeBars: 6,
});
const details = {
  threshold: 0.1,
  alertRate: 0.03,
  episodes: 10,
  detectedEpisodes: 4,
};

function run(model: number | null, best: number, zone: 'green' | 'yellow' | 'red', rate: number): RiskRun {
  return {
    title: 'held out',
    command: 'risk-monitor evaluate risk ...',
    report: {
      model: scorer(model),
      baselines: { ewmaVol: scorer(best), logistic: scorer(best - 0.05) },
      var: {
        var95: { exceedanceRate: 0.04, kupiecP: 0.3, christoffersenP: 0.01 },
        var99: { exceedanceRate: rate, kupiecP: 0.5, christoffersenP: null, baselZone: zone },
      },
      n: 1000,
      period: ['2016-12-02', '2017-08-25'],
    },
    details: {
      bundleDir: '/tmp/b',
      modelVersion: 'risk-20240102-030405-abcdef0',
      bundle: {
        trainedSymbols: ['AAA'],
        heldOutSymbols: ['BBB'],
        boundaries: { validationStart: '2016-03-08T00:00:00.000Z', testStart: '2016-12-03T00:00:00.000Z' },
        trainedOn: 'wasm',
        createdAt: '2024-01-02T03:04:05.000Z',
      },
      cutoff: '2016-12-03T00:00:00.000Z',
      period: 'test',
      until: null,
      symbols: ['BBB'],
      unseenSymbols: ['BBB'],
      fitSamples: 900,
      evaluationEvents: 30,
      model: details,
      baselines: {
        ewmaVol: { ...details, params: { lambda: 0.5 } },
        logistic: { ...details, params: { intercept: -3 } },
      },
      var95: { n: 1000, exceedances: 40 },
      var99: { n: 1000, exceedances: Math.round(rate * 1000) },
    },
  };
}

describe('quality doc verdict', () => {
  it('says plainly when the model does not beat the best baseline', () => {
    expect(verdict(run(0.55, 0.6, 'green', 0.008), 0.02)).toMatch(
      /Model ROC-AUC 0.550 vs best baseline \(ewmaVol\) 0.600: the model does NOT beat the best baseline \(-0.050\)/,
    );
  });
  it('distinguishes a clear win from a marginal lead', () => {
    expect(verdict(run(0.65, 0.6, 'green', 0.01), 0.02)).toContain('the model wins by 0.050');
    expect(verdict(run(0.61, 0.6, 'green', 0.01), 0.02)).toContain('leads by only 0.010');
  });
  it('flags a green zone that comes from an over-conservative VaR', () => {
    expect(verdict(run(0.65, 0.6, 'green', 0.002), 0.02)).toContain('too conservative');
    expect(verdict(run(0.65, 0.6, 'red', 0.05), 0.02)).toContain('VaR99 is in the RED zone');
  });
  it('renders every run with its reproduce command and the published NAB scoreboard', () => {
    const doc = renderQualityDoc({
      generatedAt: '2024-01-02',
      nab: {
        summary: {
          detector: 'LSTM',
          files: 21,
          rows: 100,
          windows: 3,
          seconds: 10,
          rowsPerSecond: 10,
          parallel: 2,
          profiles: [
            {
              profile: 'standard',
              threshold: 0.5,
              normalizedScore: 53,
              detectedWindows: 2,
              windows: 3,
              falsePositiveRows: 1,
            },
          ],
        },
        command: 'risk-monitor nab ...',
        source: 'this run',
        htmSameFiles: { standard: 67.8, reward_low_FP_rate: 61.6, reward_low_FN_rate: 72.5 },
      },
      risk: [
        run(0.55, 0.6, 'green', 0.008),
        {
          ...run(0.7, 0.6, 'green', 0.008),
          title: 'validation period',
          details: {
            ...run(0.7, 0.6, 'green', 0.008).details,
            period: 'validation',
            cutoff: '2016-03-08T00:00:00.000Z',
            until: '2016-12-03T00:00:00.000Z',
          },
        },
      ],
      clearMargin: 0.02,
    });
    expect(doc).toContain('**Validation period** (2016-03-08 to 2016-12-03): the bundle');
    expect(doc.match(/\*\*Validation period\*\*/g)).toHaveLength(1);
    expect(doc).toContain('| **ours** (LSTM) | **53.0** | **n/a** | **n/a** | 21 files |');
    expect(doc).toContain('| Numenta HTM | 70.5 | 62.6 | 75.2 | 58 files (published) |');
    expect(doc).toContain(
      '| Numenta HTM on the same 21 files (its published per-file scores, at its full-corpus thresholds) | 67.8 | 61.6 | 72.5 | 21 files |',
    );
    expect(doc).toContain('    risk-monitor evaluate risk ...');
    expect(doc).toContain('risk-20240102-030405-abcdef0');
    expect(doc).toContain('| VaR99 | 0.80% | 1% | 8 / 1000 | 0.5000 | n/a | **green** |');
  });
});

describe('quality doc transfer section', () => {
  const score = (rocAuc: number, prAuc: number) => ({
    model: { ...scorer(rocAuc), prAuc },
    baselines: { ewmaVol: scorer(0.55) },
    var: {
      var99: { exceedanceRate: 0.004, kupiecP: 0.1, christoffersenP: null, baselZone: 'green' as const },
    },
    n: 1146,
    period: ['2016-12-02', '2017-08-25'] as [string, string],
  });
  const r = (arm: 'champion' | 'fine-tuned' | 'from-scratch', seed: number | null, roc: number) => ({
    arm,
    seed,
    epochsRun: arm === 'champion' ? 0 : 4,
    bestEpoch: 2,
    trainingSeconds: arm === 'champion' ? 0 : 20,
    report: score(roc, roc / 10),
  });
  const report = {
    champion: { version: 'risk-20240102-030405-abcdef0', heldOutSymbols: ['BBB', 'CCC'] },
    symbols: ['BBB', 'CCC'],
    history: {
      bars: 250,
      from: '2015-12-19',
      validationStart: '2016-09-24',
      testStart: '2016-12-03',
      trainSamples: 1170,
      validationSamples: 270,
    },
    budget: { epochs: 10, patience: 3, batchSize: 64, fineTuneLearningRate: 1e-4, scratchLearningRate: 1e-3 },
    seeds: [1, 2],
    runs: [
      r('champion', null, 0.44),
      r('fine-tuned', 1, 0.5),
      r('from-scratch', 1, 0.6),
      r('fine-tuned', 2, 0.52),
      r('from-scratch', 2, 0.62),
    ],
    seconds: 300,
  };

  it('shows each arm as the mean with the range over seeds, and says which one wins', () => {
    const lines = transferSection({
      report,
      command: 'risk-monitor evaluate transfer ...',
      source: 'a test',
    });
    const text = lines.join('\n');
    expect(text).toContain("last **250 bars** before the champion's test start");
    expect(text).toMatch(/\| \*\*fine-tuned\*\* from the champion \| 0\.510 \(0\.500\.\.0\.520\) \| 0\.051 /);
    expect(text).toMatch(/\| \*\*from scratch\*\*, same architecture \| 0\.610 \(0\.600\.\.0\.620\) \|/);
    expect(text).toContain('| champion as is (never saw these tickers) | 0.440 |');
    expect(text).toContain('training from scratch wins by 0.100 ROC-AUC: the warm start does NOT help here.');
    expect(text).toContain('seed 1: fine-tuned 0.500 / 0.050, from scratch 0.600 / 0.060');
    expect(text).toContain('The experiment took 300 s (a test).');
    expect(transferReportSchema.parse(report)).toBeTruthy();
  });
});
