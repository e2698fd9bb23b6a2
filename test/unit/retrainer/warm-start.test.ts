import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRiskDataset } from '../../../services/models/risk/risk-dataset.js';
import { RISK_LSTM_LAYER, trainRiskModel } from '../../../services/models/risk/risk-training.js';
import { selectTfBackend } from '../../../services/models/runtime/tf-backend.js';
import { SYNTHETIC_FEATURES } from '../../fixtures/synthetic-joined-bars.js';
import { series } from './champion-fixture.js';

const weightsOf = (model: tf.LayersModel, layer: string) =>
  model
    .getLayer(layer)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));

beforeAll(async () => {
  await selectTfBackend('cpu');
});

describe('warm start (fine-tuning a given model)', () => {
  it('trains the given model in place, keeps frozen layers fixed and moves the others', async () => {
    const dataset = buildRiskDataset(series(160, 31), {
      seqLen: 6,
      labels: { horizon: 5, k: 2 },
      features: SYNTHETIC_FEATURES,
      split: { trainFraction: 0.6, validationFraction: 0.2 },
    });
    const first = await trainRiskModel(dataset, { epochs: 1, lstmUnits: 4, seed: 5 });
    const lstmBefore = weightsOf(first.model, RISK_LSTM_LAYER);
    const denseBefore = weightsOf(first.model, 'shared_dense');
    const tuned = await trainRiskModel(dataset, {
      epochs: 1,
      seed: 6,
      learningRate: 1e-3,
      warmStart: { model: first.model, freeze: [RISK_LSTM_LAYER] },
    });
    expect(tuned.model).toBe(first.model);
    expect(tuned.spec.lstmUnits).toBe(4);
    expect(weightsOf(tuned.model, RISK_LSTM_LAYER)).toEqual(lstmBefore);
    expect(weightsOf(tuned.model, 'shared_dense')).not.toEqual(denseBefore);
    expect(tuned.scoreDistribution.fractions.length).toBeGreaterThan(0);
    tuned.model.dispose();
  });

  it('refuses a model whose inputs do not match the dataset, saying both', async () => {
    const dataset = buildRiskDataset(series(120, 31), {
      seqLen: 6,
      labels: { horizon: 5, k: 2 },
      features: SYNTHETIC_FEATURES,
      split: { trainFraction: 0.6, validationFraction: 0.2 },
    });
    const other = buildRiskDataset(series(120, 31), {
      seqLen: 8,
      labels: { horizon: 5, k: 2 },
      features: SYNTHETIC_FEATURES,
      split: { trainFraction: 0.6, validationFraction: 0.2 },
    });
    const trained = await trainRiskModel(other, { epochs: 1, lstmUnits: 4, seed: 5 });
    await expect(trainRiskModel(dataset, { epochs: 1, warmStart: { model: trained.model } })).rejects.toThrow(
      /warm-start model inputs \[\[null,8,7\].* do not match the dataset \[\[null,6,7\]/,
    );
    trained.model.dispose();
  });
});
