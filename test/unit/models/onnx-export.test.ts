import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportToOnnx, reorderGates } from '../../../services/models/onnx/tfjs-to-onnx.js';
import { buildRiskModel } from '../../../services/models/risk/risk-model.js';
import { OnnxRiskRuntime } from '../../../services/models/runtime/onnx-risk-runtime.js';
import { preferOnnx } from '../../../services/models/runtime/onnx-serving.js';
import {
  maxAbsDiff,
  PARITY_TOLERANCE,
  parityBatch,
} from '../../../services/models/runtime/runtime-parity.js';
import { TfjsRiskRuntime } from '../../../services/models/runtime/tfjs-risk-runtime.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = { seqLen: 4, marketWidth: 3, macroWidth: 2, sentimentWidth: 2 };
const features = { market: ['a', 'b', 'c'], macro: ['m1', 'm2'], sentiment: ['s1', 's2'] };
const tinySpec = {
  ...shape,
  lstmUnits: 5,
  contextUnits: 3,
  denseUnits: 4,
  dropout: 0.2,
  contextDropout: 0.5,
  l2: 1e-4,
  seed: 11,
  init: { volBias: 0.3, q05Bias: -0.02, gapBias: 0.1 },
};
const open: { dispose(): void }[] = [];
afterAll(() => {
  for (const r of open) r.dispose();
});

describe('reorderGates', () => {
  it('moves Keras [i, f, c, o] column blocks to ONNX [i, o, f, c] row blocks, transposed', () => {
    // 1 input row, 1 unit: keras [1, 4] = i, f, c, o.
    expect([...reorderGates(Float32Array.from([1, 2, 3, 4]), 1, 1)]).toEqual([1, 4, 2, 3]);
    // 2 input rows, 1 unit: keras [[i0 f0 c0 o0], [i1 f1 c1 o1]] -> onnx [4, 2].
    const k = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]);
    expect([...reorderGates(k, 2, 1)]).toEqual([1, 10, 4, 40, 2, 20, 3, 30]);
  });
});

describe('exportToOnnx', () => {
  it('serves the same outputs as tfjs on a tiny random risk model (within 1e-4)', async () => {
    const model = buildRiskModel(tinySpec);
    const tfjs = new TfjsRiskRuntime(model, 'tiny', shape.seqLen, features);
    const onnx = await OnnxRiskRuntime.create(exportToOnnx(model), tfjs);
    open.push(onnx);
    const batch = parityBatch(shape, 17, 3);
    const want = await tfjs.predict(batch);
    const got = await onnx.predict(batch);
    expect(got.size).toBe(17);
    expect(maxAbsDiff(want, got)).toBeLessThan(PARITY_TOLERANCE);
    // q01 <= q05 is built into the graph (q05 - softplus(gap)); the export keeps it.
    for (let i = 0; i < got.size; i++) expect(got.q01[i]).toBeLessThanOrEqual(got.q05[i] as number);
  });

  it('keeps explanations on tfjs (ONNX has no gradients)', async () => {
    const model = buildRiskModel({ ...tinySpec, seed: 12 });
    const tfjs = new TfjsRiskRuntime(model, 'tiny', shape.seqLen, features);
    const onnx = await OnnxRiskRuntime.create(exportToOnnx(model), tfjs);
    open.push(onnx);
    const batch = parityBatch(shape, 3, 4);
    const explained = await onnx.explainEvent(batch, [0, 2], 2);
    expect([...explained.keys()]).toEqual([0, 2]);
    expect(explained.get(0)).toHaveLength(2);
  });

  it('refuses layers it cannot translate', () => {
    const input = tf.input({ shape: [4, 3] });
    const gru = tf.layers.gru({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: gru });
    expect(() => exportToOnnx(model)).toThrow(/GRU is not supported/);
    model.dispose();
  });
});

describe('preferOnnx', () => {
  it('serves with onnxruntime-node when parity holds', async () => {
    const model = buildRiskModel({ ...tinySpec, seed: 13 });
    const tfjs = new TfjsRiskRuntime(model, 'tiny', shape.seqLen, features);
    const served = await preferOnnx(tfjs, model, shape);
    open.push(served.runtime);
    expect(served.fallbackReason).toBeNull();
    expect(served.runtime.name).toMatch(/^onnxruntime-node/);
    expect(served.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
  });

  it('falls back to tfjs with a reason when the export fails', async () => {
    const model = buildRiskModel({ ...tinySpec, seed: 14 });
    const tfjs = new TfjsRiskRuntime(model, 'tiny', shape.seqLen, features);
    const input = tf.input({ shape: [4, 3] });
    const broken = tf.model({
      inputs: input,
      outputs: tf.layers.gru({ units: 2 }).apply(input) as tf.SymbolicTensor,
    });
    const served = await preferOnnx(tfjs, broken, shape);
    open.push(served.runtime);
    broken.dispose();
    expect(served.runtime).toBe(tfjs);
    expect(served.fallbackReason).toMatch(/not supported/);
  });
});
