import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CpuForecaster,
  readForecasterWeights,
  WEIGHT_NAMES,
  type WeightGradients,
  writeForecasterWeights,
  zerosLikeWeights,
} from '../../../services/models/anomaly/forecaster-cpu-network.js';
import { CpuAdam, fitCpuForecaster } from '../../../services/models/anomaly/forecaster-cpu-training.js';
import {
  buildForecaster,
  type ForecasterSpec,
  toResidualTargets,
} from '../../../services/models/anomaly/forecaster-model.js';
import { ForecasterRuntime } from '../../../services/models/anomaly/forecaster-runtime.js';
import { fitForecaster } from '../../../services/models/anomaly/forecaster-training.js';
import { ensureTfBackend } from '../../../services/models/anomaly/tf-backend.js';
import { jitter } from './anomaly-fixtures.js';

/** Two targets, so the [.., F_out] layouts are exercised beyond the univariate case. */
const spec: ForecasterSpec = {
  seqLen: 6,
  inputFeatures: ['a', 'b', 'c'],
  targetFeatures: ['a', 'c'],
  units: 4,
  residual: true,
  seed: 5,
};
const ROW = spec.seqLen * spec.inputFeatures.length;
const FOUT = spec.targetFeatures.length;

function samples(count: number, seed: number) {
  const r = jitter(seed);
  const inputs = Float32Array.from({ length: count * ROW }, () => 4 * r());
  const targets = Float32Array.from({ length: count * FOUT }, () => 4 * r());
  return { count, inputs, targets };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

beforeAll(async () => {
  await ensureTfBackend();
});

describe('CpuForecaster', () => {
  it('forecasts what the tfjs model forecasts (to float32 rounding)', () => {
    const model = buildForecaster(spec);
    // Non-zero highway and bias weights, so every term of the network counts.
    const w = readForecasterWeights(model);
    const r = jitter(9);
    for (const name of WEIGHT_NAMES) for (let i = 0; i < w[name].length; i++) w[name][i] = r();
    writeForecasterWeights(model, w);
    const s = samples(300, 2);
    const expected = new ForecasterRuntime(model, spec, 64).forecast(s.inputs, s.count);
    const got = CpuForecaster.fromModel(model, spec).forecast(s.inputs, s.count);
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
    model.dispose();
  });

  it("computes tfjs' loss and gradients (Huber, hard-sigmoid LSTM, highway)", () => {
    const model = buildForecaster(spec);
    const net = CpuForecaster.fromModel(model, spec);
    const s = samples(40, 3);
    toResidualTargets(spec, s.inputs, s.targets, s.count);
    const grads: WeightGradients = zerosLikeWeights(net.weights, (n) => new Float64Array(n));
    const loss = net.lossAndGradients(s.inputs, s.targets, s.count, grads);

    const x = tf.tensor3d(s.inputs, [s.count, spec.seqLen, spec.inputFeatures.length]);
    const y = tf.tensor2d(s.targets, [s.count, FOUT]);
    const { value, grads: tfGrads } = tf.variableGrads(() =>
      tf.losses.huberLoss(y, model.apply(x, { training: true }) as tf.Tensor),
    );
    expect(Math.abs(loss - (value.dataSync()[0] as number))).toBeLessThan(1e-6);
    const byName = (layer: string, i: number) =>
      tfGrads[
        ((model.getLayer(layer).weights[i] as tf.LayerVariable).read() as tf.Variable).name
      ]?.dataSync() ?? [];
    const pairs: [keyof WeightGradients, ArrayLike<number>][] = [
      ['kernel', byName('lstm', 0)],
      ['recurrent', byName('lstm', 1)],
      ['bias', byName('lstm', 2)],
      ['dense', byName('forecast', 0)],
      ['denseBias', byName('forecast', 1)],
      ['highway', byName('highway', 0)],
    ];
    for (const [name, expected] of pairs) expect(maxAbsDiff(grads[name], expected)).toBeLessThan(1e-5);
    tf.dispose([x, y, value, ...Object.values(tfGrads)]);
    model.dispose();
  });

  it('applies Adam bit for bit as tfjs does, given the same gradients', () => {
    const model = buildForecaster(spec);
    const w = readForecasterWeights(model);
    const adam = new CpuAdam(w, 0.005);
    const optimizer = tf.train.adam(0.005);
    const vars = WEIGHT_NAMES.map((name) => tf.variable(tf.tensor(w[name]), true, `adam_${name}`));
    const r = jitter(4);
    for (let step = 0; step < 5; step++) {
      const grads = zerosLikeWeights(w, (n) => new Float64Array(n));
      for (const name of WEIGHT_NAMES) for (let i = 0; i < grads[name].length; i++) grads[name][i] = r() / 4;
      adam.step(w, grads);
      const named = WEIGHT_NAMES.map((name, i) => ({
        name: (vars[i] as tf.Variable).name,
        tensor: tf.tensor(Float32Array.from(grads[name])),
      }));
      optimizer.applyGradients(named);
      tf.dispose(named.map((n) => n.tensor));
    }
    WEIGHT_NAMES.forEach((name, i) => {
      expect(Array.from(w[name])).toEqual(Array.from((vars[i] as tf.Variable).dataSync()));
    });
    tf.dispose(vars);
    optimizer.dispose();
    model.dispose();
  });

  it('trains as fitForecaster does (same shuffles and batches; weights to float32 rounding)', async () => {
    const model = buildForecaster(spec);
    const net = CpuForecaster.fromModel(model, spec);
    const adam = new CpuAdam(net.weights, 0.01);
    const s = samples(70, 6);
    const options = { epochs: 3, batchSize: 16, learningRate: 0.01, seed: 3 };
    const tfLosses = await fitForecaster(model, spec, s, options);
    const cpuLosses = fitCpuForecaster(net, adam, s, options);
    expect(maxAbsDiff(cpuLosses, tfLosses)).toBeLessThan(1e-5);
    const trained = readForecasterWeights(model);
    for (const name of WEIGHT_NAMES) expect(maxAbsDiff(net.weights[name], trained[name])).toBeLessThan(1e-5);
    model.dispose();
  });

  it('gives a row the same forecast whichever rows it is computed with', () => {
    const model = buildForecaster(spec);
    const net = CpuForecaster.fromModel(model, spec);
    const s = samples(20, 8);
    const all = net.forecast(s.inputs, s.count);
    for (const i of [0, 7, 19]) {
      const alone = net.forecast(s.inputs.slice(i * ROW, (i + 1) * ROW), 1);
      expect(Array.from(alone)).toEqual(Array.from(all.subarray(i * FOUT, (i + 1) * FOUT)));
    }
    model.dispose();
  });
});
