import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../training/seeded-random.js';

/** Standard normal draws (Box-Muller) from a seeded PRNG: the generator's noise, reproducible. */
export function gaussianNoise(rng: SeededRandom, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(1e-12, rng.next());
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  }
  return out;
}

/**
 * The generator's noise input for `count` sequences of `length` steps: noise is drawn for
 * length + K - 1 steps and step t gets steps t..t+K-1 of it, [count, length, K * noiseDim]. Steps
 * closer than K share draws, which is where the generated sequences' memory comes from.
 */
export function unfoldedNoise(
  rng: SeededRandom,
  count: number,
  length: number,
  noiseDim: number,
  context: number,
): Float32Array {
  const raw = gaussianNoise(rng, count * (length + context - 1) * noiseDim);
  const width = context * noiseDim;
  const out = new Float32Array(count * length * width);
  for (let s = 0; s < count; s++) {
    const base = s * (length + context - 1) * noiseDim;
    for (let t = 0; t < length; t++) {
      out.set(raw.subarray(base + t * noiseDim, base + (t + context) * noiseDim), (s * length + t) * width);
    }
  }
  return out;
}

export interface SampleRequest {
  /** Sequences to generate. */
  count: number;
  /** Steps per sequence (L for windows; any length for paths). */
  length: number;
  /** The condition of each sequence (0 or 1), held along the whole sequence. */
  labels: ArrayLike<number>;
  seed: number;
  /** Sequences per forward pass (memory bound). */
  batchSize?: number;
}

/** Shapes a generator was built with, read from its inputs. */
export function generatorShape(generator: tf.LayersModel): { noiseWidth: number; width: number } {
  return {
    noiseWidth: generator.inputs[0]?.shape[2] as number,
    width: generator.inputs[1]?.shape[2] as number,
  };
}

/** Runs the generator: [count, length, F] row-major, in the scaled feature space. */
export function generateSequences(
  generator: tf.LayersModel,
  request: SampleRequest & { noiseDim: number; context: number },
): Float32Array {
  const { count, length, noiseDim, context } = request;
  if (request.labels.length !== count) {
    throw new RangeError(
      `generateSequences needs one label per sequence: ${request.labels.length} for ${count}`,
    );
  }
  const { noiseWidth, width } = generatorShape(generator);
  if (noiseWidth !== noiseDim * context) {
    throw new RangeError(
      `generator takes ${noiseWidth} noise values per step, the request says ${noiseDim} x ${context}`,
    );
  }
  const rng = new SeededRandom(request.seed);
  const out = new Float32Array(count * length * width);
  const batch = request.batchSize ?? 256;
  for (let start = 0; start < count; start += batch) {
    const b = Math.min(batch, count - start);
    const label = new Float32Array(b * length);
    for (let i = 0; i < b; i++) label.fill(request.labels[start + i] as number, i * length, (i + 1) * length);
    const values = tf.tidy(() => {
      const y = generator.predict([
        tf.tensor3d(unfoldedNoise(rng, b, length, noiseDim, context), [b, length, noiseWidth]),
        tf.tensor3d(gaussianNoise(rng, b * length * width), [b, length, width]),
        tf.tensor3d(label, [b, length, 1]),
      ]) as tf.Tensor;
      return y.dataSync() as Float32Array;
    });
    out.set(values, start * length * width);
  }
  return out;
}
