import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRiskDataset } from '../../../services/models/risk/risk-dataset.js';
import { trainRiskModel } from '../../../services/models/risk/risk-training.js';
import type { TrainingProgress } from '../../../services/models/training/training-progress.js';
import {
  DAY_MS,
  SYNTHETIC_FEATURES,
  SYNTHETIC_START,
  syntheticJoinedBars,
} from '../../fixtures/synthetic-joined-bars.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

const dataset = buildRiskDataset(
  ['AAA', 'BBB', 'CCC', 'DDD'].map((symbol, i) => ({
    symbol,
    bars: syntheticJoinedBars(symbol, 200, i + 11),
  })),
  {
    seqLen: 8,
    labels: { horizon: 5, k: 2 },
    features: SYNTHETIC_FEATURES,
    split: { validationStart: SYNTHETIC_START + 121 * DAY_MS, testStart: SYNTHETIC_START + 161 * DAY_MS },
    holdoutSymbols: ['DDD'],
  },
);
const tiny = { epochs: 2, batchSize: 64, lstmUnits: 4, contextUnits: 2, denseUnits: 4, seed: 7 };

describe('trainRiskModel', () => {
  it('trains, reports progress, evaluates every split and calibrates on validation', async () => {
    const events: TrainingProgress[] = [];
    const trained = await trainRiskModel(dataset, tiny, (e) => events.push(e));
    expect(events[0]).toMatchObject({
      kind: 'start',
      model: 'risk',
      epochs: 2,
      trainSamples: dataset.train.size,
    });
    expect(events.filter((e) => e.kind === 'epoch')).toHaveLength(2);
    expect(events.filter((e) => e.kind === 'batch')).toHaveLength(2 * Math.ceil(dataset.train.size / 64));
    expect(events.at(-1)).toMatchObject({ kind: 'done', epochsRun: 2 });
    expect(trained.history.map((h) => h.epoch)).toEqual([1, 2]);
    for (const h of trained.history) expect(Number.isFinite(h.validationLoss)).toBe(true);
    expect(trained.evaluation.validation.samples).toBe(dataset.validation.size);
    expect(trained.evaluation.holdout?.samples).toBe(dataset.holdout.size);
    expect(trained.evaluation.test.q05Coverage).toBeGreaterThanOrEqual(0);
    expect(trained.calibration.eventThresholds.map((t) => t.severity)).toEqual([
      'INFO',
      'WARNING',
      'CRITICAL',
    ]);
    expect(trained.calibration.validationSize).toBe(dataset.validation.size);
    trained.model.dispose();
  });

  it('is reproducible for a seed on one backend', async () => {
    const a = await trainRiskModel(dataset, { ...tiny, epochs: 1 });
    const b = await trainRiskModel(dataset, { ...tiny, epochs: 1 });
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(b.model)).toEqual(weights(a.model));
    a.model.dispose();
    b.model.dispose();
  });

  it('stops early when validation loss does not improve', async () => {
    const events: TrainingProgress[] = [];
    // A learning rate this small cannot beat minDelta: epoch 1 is the best, patience 1 stops after epoch 2.
    const trained = await trainRiskModel(
      dataset,
      { ...tiny, epochs: 6, patience: 1, learningRate: 1e-9 },
      (e) => events.push(e),
    );
    expect(trained.epochsRun).toBe(2);
    expect(trained.bestEpoch).toBe(1);
    expect(events.some((e) => e.kind === 'early-stop')).toBe(true);
    trained.model.dispose();
  });
});
