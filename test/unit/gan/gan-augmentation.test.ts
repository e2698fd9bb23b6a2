import { describe, expect, it } from 'vitest';
import { appendSamples } from '../../../services/models/gan/gan-augmentation.js';
import { ganColumns } from '../../../services/models/gan/gan-columns.js';
import { buildDiscriminator, freeColumns, GanGenerator } from '../../../services/models/gan/gan-model.js';
import { generateSequences, unfoldedNoise } from '../../../services/models/gan/gan-sampling.js';
import { trainGan, windowsOf } from '../../../services/models/gan/gan-training.js';
import { stylizedFacts } from '../../../services/models/gan/stylized-facts.js';
import {
  discriminativeScore,
  judgeSyntheticQuality,
  trainOnSyntheticTestOnReal,
} from '../../../services/models/gan/synthetic-quality.js';
import { buildRiskDataset } from '../../../services/models/risk/risk-dataset.js';
import { predictRiskSplit } from '../../../services/models/risk/risk-evaluation.js';
import { buildRiskModel } from '../../../services/models/risk/risk-model.js';
import { maskDataset, maskModelInputs } from '../../../services/models/selection/feature-mask.js';
import { SeededRandom } from '../../../services/models/training/seeded-random.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';
import { gaussians } from './known-series.js';

const dataset = () =>
  buildRiskDataset(
    ['AAA', 'BBB'].map((symbol, i) => ({ symbol, bars: syntheticJoinedBars(symbol, 160, i + 21) })),
    {
      seqLen: 6,
      labels: { horizon: 5, k: 2 },
      features: SYNTHETIC_FEATURES,
      split: { trainFraction: 0.6, validationFraction: 0.2 },
    },
  );

describe('GAN networks and sampling', () => {
  it('unfolds noise so that step t sees steps t..t+K-1 of one draw', () => {
    const noise = unfoldedNoise(new SeededRandom(1), 1, 3, 1, 2);
    expect(noise).toHaveLength(6);
    // step 0 = [n0, n1], step 1 = [n1, n2]: neighbouring steps share a draw.
    expect(noise[1]).toBe(noise[2]);
    expect(noise[3]).toBe(noise[4]);
  });

  it('generates paths of any length, reproducibly for a seed', () => {
    const columns = [
      { kind: 'garch' as const },
      { kind: 'ewma' as const, lambda: 0.9, returnMean: 0, returnStd: 0.01, mean: 0.01, std: 0.005 },
      { kind: 'constant' as const, value: 0.25 },
    ];
    const spec = { seqLen: 6, width: 3, noiseDim: 2, context: 4, units: 4, columns, burnIn: 5, seed: 1 };
    const g = new GanGenerator(spec);
    const d = buildDiscriminator(spec);
    expect(d.outputs[0]?.shape).toEqual([null, 1]);
    const req = { count: 3, length: 50, labels: [1, 0, 1], seed: 9 };
    const a = generateSequences(g, req);
    expect(a).toHaveLength(3 * 50 * 3);
    expect(generateSequences(g, req)).toEqual(a);
    expect(generateSequences(g, { ...req, seed: 10 })).not.toEqual(a);
    // The constant column is copied; ewmaVol is the EWMA of the path's own (unscaled) returns.
    for (let t = 0; t < 50; t++) expect(a[t * 3 + 2]).toBeCloseTo(0.25, 6);
    const vol = (t: number) => (a[t * 3 + 1] as number) * 0.005 + 0.01;
    const ret = (t: number) => (a[t * 3] as number) * 0.01;
    for (let t = 1; t < 50; t++)
      expect(vol(t) ** 2).toBeCloseTo(0.9 * vol(t - 1) ** 2 + 0.1 * ret(t) ** 2, 6);
    expect(g.garchSummary()?.map((p) => p.alpha + p.beta)).toEqual([
      expect.closeTo(0.95, 3),
      expect.closeTo(0.95, 3),
    ]);
    expect(() => new GanGenerator({ ...spec, columns: freeColumns(2) })).toThrow(/one role per feature/);
    g.dispose();
    d.dispose();
  });

  it('derives columns from the data: garch return, ewma volatility, constants', () => {
    const l = 8;
    const size = 20;
    const windows = new Float32Array(size * l * 3);
    for (let i = 0; i < size; i++) {
      let v = 0;
      for (let t = 0; t < l; t++) {
        const r = 0.01 * Math.sin(3.1 * (i * l + t));
        v = t === 0 ? r * r : 0.94 * v + 0.06 * r * r;
        windows.set([r / 0.01, (Math.sqrt(v) - 0.005) / 0.002, 0.7], (i * l + t) * 3);
      }
    }
    const data = { size, seqLen: l, width: 3, windows, labels: new Float32Array(size) };
    const scaling = {
      names: ['logReturn', 'ewmaVol', 'imbalance'],
      mean: [0, 0.005, 0],
      std: [0.01, 0.002, 0],
    };
    const roles = ganColumns(data, scaling, { ewmaLambda: 0.94 });
    expect(roles.map((r) => r.kind)).toEqual(['garch', 'ewma', 'constant']);
    // A different decay than the data's: ewmaVol is generated freely rather than wrongly derived.
    expect(ganColumns(data, scaling, { ewmaLambda: 0.5 })[1]?.kind).toBe('free');
    expect(ganColumns(data, null, { ewmaLambda: 0.94 }).map((r) => r.kind)).toEqual([
      'free',
      'free',
      'constant',
    ]);
  });

  it('trains a few steps on risk windows and reports its losses', async () => {
    const ds = dataset();
    const gan = await trainGan(windowsOf(ds.train), {
      steps: 10,
      batchSize: 8,
      units: 4,
      noiseDim: 2,
      context: 3,
      seed: 4,
    });
    expect(gan.history.map((h) => h.step)).toEqual([10]);
    expect(Number.isFinite(gan.history[0]?.discriminatorLoss)).toBe(true);
    expect(gan.spec).toMatchObject({ seqLen: 6, width: SYNTHETIC_FEATURES.market.length });
    gan.generator.dispose();
  });
});

describe('judging synthetic windows', () => {
  const windows = (n: number, scale: number, seed: number) => {
    const z = gaussians(n * 6 * 2, seed);
    return {
      size: n,
      seqLen: 6,
      width: 2,
      windows: Float32Array.from(z, (v) => v * scale),
      labels: Float32Array.from({ length: n }, (_, i) => i % 2),
    };
  };

  it('scores ~0.5 when synthetic and real come from one distribution, ~1 when they differ', () => {
    expect(Math.abs(discriminativeScore(windows(400, 1, 1), windows(400, 1, 2)).accuracy - 0.5)).toBeLessThan(
      0.08,
    );
    expect(discriminativeScore(windows(400, 1, 1), windows(400, 3, 2)).accuracy).toBeGreaterThan(0.95);
    // Per feature: only the column that differs gives the synthetic windows away.
    const oneColumn = windows(400, 1, 2);
    for (let i = 0; i < oneColumn.windows.length; i += 2)
      oneColumn.windows[i] = (oneColumn.windows[i] as number) * 3;
    const [first, second] = discriminativeScore(windows(400, 1, 1), oneColumn).byFeature;
    expect(first).toBeGreaterThan(0.85);
    expect(Math.abs((second as number) - 0.5)).toBeLessThan(0.08);
  });

  it('TSTR: a label that shifts the window level is learnt from synthetic and ranks real windows', () => {
    const shifted = (seed: number) => {
      const w = windows(300, 1, seed);
      for (let i = 0; i < w.size; i++)
        for (let k = 0; k < 12; k++)
          w.windows[i * 12 + k] = (w.windows[i * 12 + k] as number) + (w.labels[i] as number);
      return w;
    };
    const score = trainOnSyntheticTestOnReal(shifted(1), shifted(2), shifted(3));
    expect(score.tstrAuc).toBeGreaterThan(0.9);
    expect(score.trtrAuc).toBeGreaterThan(0.9);
  });

  it('passes only when every configured check passes, and says which failed with numbers', () => {
    const facts = stylizedFacts([gaussians(2000, 5)]);
    const verdict = judgeSyntheticQuality(
      {
        generatedFacts: facts,
        discriminative: { accuracy: 0.93, auc: 0.97, heldOut: 100, byFeature: [] },
        tstr: { tstrAuc: 0.5, trtrAuc: 0.7 },
      },
      { requireStylizedFacts: true, maxDiscriminativeAccuracy: 0.8, minTstrAuc: 0.55 },
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons.join('\n')).toMatch(/discriminative accuracy 0.930 > 0.8/);
    expect(verdict.reasons.join('\n')).toMatch(/TSTR ROC-AUC 0.500 < 0.55/);
    expect(verdict.reasons.join('\n')).toMatch(/stylized facts/);
    expect(
      judgeSyntheticQuality(
        {
          generatedFacts: null,
          discriminative: { accuracy: 0.6, auc: 0.6, heldOut: 100, byFeature: [] },
          tstr: { tstrAuc: 0.6, trtrAuc: 0.7 },
        },
        { requireStylizedFacts: false, maxDiscriminativeAccuracy: 0.8, minTstrAuc: 0.55 },
      ),
    ).toEqual({ passed: true, reasons: [] });
  });
});

describe('augmented split and feature masking', () => {
  it("appends synthetic market windows with the donors' other fields", () => {
    const { train } = dataset();
    const perWindow = train.seqLen * train.marketWidth;
    const out = appendSamples(train, new Float32Array(2 * perWindow).fill(0.5), [0, 3]);
    expect(out.size).toBe(train.size + 2);
    expect(out.market.subarray(train.size * perWindow).every((v) => v === 0.5)).toBe(true);
    expect(out.macro.subarray(train.size * 4, (train.size + 1) * 4)).toEqual(train.macro.subarray(0, 4));
    expect(out.event[train.size + 1]).toBe(train.event[3]);
    expect(out.symbols.at(-1)).toBe(train.symbols[3]);
    expect(train.market).toHaveLength(train.size * perWindow);
  });

  it('a masked feature with zeroed input weights makes the model ignore that input', () => {
    const ds = dataset();
    const model = buildRiskModel({
      seqLen: 6,
      marketWidth: SYNTHETIC_FEATURES.market.length,
      macroWidth: 4,
      sentimentWidth: 5,
      lstmUnits: 3,
      contextUnits: 2,
      denseUnits: 3,
      dropout: 0,
      contextDropout: 0,
      l2: 0,
      seed: 1,
    });
    const dropped = [
      { group: 'market' as const, name: 'volumeZ' },
      { group: 'macro' as const, name: 'VIX.zScore' },
    ];
    maskModelInputs(model, ds.features, dropped);
    const masked = maskDataset(ds, dropped);
    expect(masked.test.market).not.toEqual(ds.test.market);
    const a = predictRiskSplit(model, ds.test);
    const b = predictRiskSplit(model, masked.test);
    for (let i = 0; i < a.event.length; i++) expect(a.event[i]).toBeCloseTo(b.event[i] as number, 6);
    model.dispose();
  });
});
