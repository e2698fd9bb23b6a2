import * as tf from '@tensorflow/tfjs';
import { type ForecasterSpec, fromResidualOutputs } from './forecaster-model.js';

/**
 * Runs a forecaster on row-major [n, L, F_in] inputs and returns [n, F_out] forecasts in the
 * scaled target units. Inputs go through the network in fixed-size chunks (the last one padded
 * with zeros), so a row's forecast is the same whichever rows share its batch: a property the
 * online detector relies on.
 */
export class ForecasterRuntime {
  readonly inputWidth: number;
  readonly outputWidth: number;

  constructor(
    readonly model: tf.LayersModel,
    readonly spec: ForecasterSpec,
    readonly chunkSize = 256,
  ) {
    this.inputWidth = spec.inputFeatures.length;
    this.outputWidth = spec.targetFeatures.length;
  }

  forecast(inputs: Float32Array, count: number): Float32Array {
    const rowSize = this.spec.seqLen * this.inputWidth;
    if (inputs.length < count * rowSize) {
      throw new RangeError(
        `forecast inputs must hold ${count} x ${this.spec.seqLen} x ${this.inputWidth} values, got ${inputs.length}`,
      );
    }
    const out = new Float32Array(count * this.outputWidth);
    const chunk = new Float32Array(this.chunkSize * rowSize);
    for (let start = 0; start < count; start += this.chunkSize) {
      const n = Math.min(this.chunkSize, count - start);
      chunk.fill(0);
      chunk.set(inputs.subarray(start * rowSize, (start + n) * rowSize));
      const values = tf.tidy(() => {
        const x = tf.tensor3d(chunk, [this.chunkSize, this.spec.seqLen, this.inputWidth]);
        return (this.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      });
      out.set(values.subarray(0, n * this.outputWidth), start * this.outputWidth);
    }
    fromResidualOutputs(this.spec, inputs, out, count);
    return out;
  }
}
