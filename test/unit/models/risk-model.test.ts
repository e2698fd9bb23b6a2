import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventPositiveWeight,
  logHuberLoss,
  pinballLoss,
  weightedBinaryCrossEntropy,
} from '../../../services/models/risk/risk-losses.js';
import { buildRiskModel, softplusInverse } from '../../../services/models/risk/risk-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe('risk losses', () => {
  it('weights the positive class of the binary cross-entropy', () => {
    const loss = weightedBinaryCrossEntropy(tf.tensor1d([1, 0]), tf.tensor1d([0.8, 0.4]), 3);
    // -(3 ln 0.8 + ln 0.6) / 2
    expect(value(loss)).toBeCloseTo(-(3 * Math.log(0.8) + Math.log(0.6)) / 2, 5);
  });

  it('computes the positive weight as n_neg / n_pos, capped, 1 without a class', () => {
    expect(eventPositiveWeight(10, 90)).toBe(9);
    expect(eventPositiveWeight(1, 1000)).toBe(20);
    expect(eventPositiveWeight(1, 1000, 50)).toBe(50);
    expect(eventPositiveWeight(0, 5)).toBe(1);
  });

  it('is a Huber loss on the log ratio', () => {
    // d = 1 -> 0.5; d = 3 -> 1 * (3 - 0.5) = 2.5; mean 1.5
    const loss = logHuberLoss(tf.tensor1d([1, 1]), tf.tensor1d([Math.E, Math.E ** 3]), 1, 0);
    expect(value(loss)).toBeCloseTo(1.5, 5);
  });

  it('computes the pinball loss per quantile level', () => {
    // sample 1: u=-0.5 @0.1 -> 0.45, u=-1 @0.5 -> 0.5; sample 2: u=1 @0.1 -> 0.1, u=-1 @0.5 -> 0.5
    const loss = pinballLoss(
      tf.tensor1d([0, 1]),
      tf.tensor2d([
        [0.5, 1],
        [0, 2],
      ]),
      [0.1, 0.5],
    );
    expect(value(loss)).toBeCloseTo(0.3875, 6);
    const scaled = pinballLoss(
      tf.tensor1d([0, 1]),
      tf.tensor2d([
        [0.5, 1],
        [0, 2],
      ]),
      [0.1, 0.5],
      0.5,
    );
    expect(value(scaled)).toBeCloseTo(0.775, 6);
  });
});

describe('buildRiskModel', () => {
  const spec = {
    seqLen: 7,
    marketWidth: 6,
    macroWidth: 4,
    sentimentWidth: 5,
    lstmUnits: 8,
    contextUnits: 4,
    denseUnits: 8,
    dropout: 0.1,
    contextDropout: 0.5,
    l2: 1e-4,
    seed: 42,
    init: { volBias: softplusInverse(0.02), q05Bias: -0.04, gapBias: softplusInverse(0.02) },
  };
  let model: tf.LayersModel;
  beforeAll(() => {
    model = buildRiskModel(spec);
  });
  afterAll(() => model.dispose());

  it('has the three heads with the expected shapes', () => {
    const b = 3;
    const out = model.predict([
      tf.randomNormal([b, 7, 6], 0, 1, 'float32', 1),
      tf.randomNormal([b, 4], 0, 1, 'float32', 2),
      tf.randomNormal([b, 5], 0, 1, 'float32', 3),
    ]) as tf.Tensor[];
    expect(model.outputNames).toEqual(['event', 'vol', 'quantiles']);
    expect(out.map((t) => t.shape)).toEqual([
      [b, 1],
      [b, 1],
      [b, 2],
    ]);
  });

  it('keeps q01 <= q05, the event in (0, 1) and vol > 0 even for extreme inputs', () => {
    const b = 64;
    const [event, vol, quantiles] = model.predict([
      tf.randomNormal([b, 7, 6], 0, 50, 'float32', 4),
      tf.randomNormal([b, 4], 0, 50, 'float32', 5),
      tf.randomNormal([b, 5], 0, 50, 'float32', 6),
    ]) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const q = quantiles.dataSync();
    for (let i = 0; i < b; i++) expect(q[2 * i] as number).toBeLessThanOrEqual(q[2 * i + 1] as number);
    for (const p of event.dataSync()) expect(p >= 0 && p <= 1).toBe(true);
    for (const v of vol.dataSync()) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('starts from the initial biases and is reproducible for a seed', () => {
    const other = buildRiskModel(spec);
    const a = model.getWeights().map((w) => Array.from(w.dataSync()));
    const c = other.getWeights().map((w) => Array.from(w.dataSync()));
    expect(c).toEqual(a);
    const volBias = other.getLayer('vol').getWeights()[1]!.dataSync()[0] as number;
    expect(volBias).toBeCloseTo(softplusInverse(0.02), 5);
    other.dispose();
  });

  it('rejects a zero-width input', () => {
    expect(() => buildRiskModel({ ...spec, macroWidth: 0 })).toThrow(
      /macroWidth must be an integer >= 1, got 0/,
    );
  });
});
