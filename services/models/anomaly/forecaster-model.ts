import * as tf from '@tensorflow/tfjs';

/**
 * The anomaly forecaster: an LSTM reading L rows of F_in scaled features and forecasting the
 * F_out target features of the next row, plus a linear "highway" from the whole window to the
 * output (the autoregressive component of LSTNet, Lai et al. 2018): the linear part learns the
 * easy structure in a few epochs, the LSTM the rest. With `residual` the network forecasts the
 * change of each target from its value in the last input row (the forecast is last + output),
 * which starts it at the persistence forecast for slowly moving series.
 */
export interface ForecasterSpec {
  seqLen: number;
  inputFeatures: string[];
  /** A subset of inputFeatures, in output order. */
  targetFeatures: string[];
  units: number;
  residual: boolean;
  /** Weight initialisation seed. */
  seed: number;
}

/** Position of each target feature among the input features. */
export function targetIndices(spec: ForecasterSpec): number[] {
  return spec.targetFeatures.map((name) => {
    const i = spec.inputFeatures.indexOf(name);
    if (i < 0) {
      throw new RangeError(
        `target feature ${name} is not among the input features (${spec.inputFeatures.join(', ')})`,
      );
    }
    return i;
  });
}

export function buildForecaster(spec: ForecasterSpec): tf.LayersModel {
  if (!(spec.seqLen >= 1 && spec.units >= 1 && spec.targetFeatures.length >= 1)) {
    throw new RangeError(
      `forecaster needs seqLen >= 1, units >= 1 and a target, got ${spec.seqLen}, ${spec.units}, ${spec.targetFeatures.length}`,
    );
  }
  targetIndices(spec);
  const fin = spec.inputFeatures.length;
  const fout = spec.targetFeatures.length;
  const input = tf.input({ shape: [spec.seqLen, fin], name: 'window' });
  const hidden = tf.layers
    .lstm({
      units: spec.units,
      kernelInitializer: tf.initializers.glorotUniform({ seed: spec.seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: spec.seed + 1 }),
      name: 'lstm',
    })
    .apply(input) as tf.SymbolicTensor;
  const recurrent = tf.layers
    .dense({
      units: fout,
      kernelInitializer: tf.initializers.glorotUniform({ seed: spec.seed + 2 }),
      name: 'forecast',
    })
    .apply(hidden) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'window_flat' }).apply(input) as tf.SymbolicTensor;
  const highway = tf.layers
    .dense({ units: fout, kernelInitializer: 'zeros', useBias: false, name: 'highway' })
    .apply(flat) as tf.SymbolicTensor;
  const output = tf.layers.add({ name: 'next_row' }).apply([recurrent, highway]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'anomaly_forecaster' });
}

/**
 * For residual forecasters, the training target is the change from the last input row:
 * writes targets[i, k] - inputs[i, L-1, target_k] in place. No-op otherwise.
 */
export function toResidualTargets(
  spec: ForecasterSpec,
  inputs: Float32Array,
  targets: Float32Array,
  count: number,
): void {
  if (!spec.residual) return;
  addLastInputs(spec, inputs, targets, count, -1);
}

/** Inverse of toResidualTargets on model outputs: adds the last input values back. */
export function fromResidualOutputs(
  spec: ForecasterSpec,
  inputs: Float32Array,
  outputs: Float32Array,
  count: number,
): void {
  if (!spec.residual) return;
  addLastInputs(spec, inputs, outputs, count, 1);
}

function addLastInputs(
  spec: ForecasterSpec,
  inputs: Float32Array,
  values: Float32Array,
  count: number,
  sign: 1 | -1,
): void {
  const idx = targetIndices(spec);
  const fin = spec.inputFeatures.length;
  const fout = idx.length;
  for (let i = 0; i < count; i++) {
    const last = (i * spec.seqLen + spec.seqLen - 1) * fin;
    for (let k = 0; k < fout; k++) {
      values[i * fout + k] =
        (values[i * fout + k] as number) + sign * (inputs[last + (idx[k] as number)] as number);
    }
  }
}
