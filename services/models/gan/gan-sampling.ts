import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../training/seeded-random.js';
import type { GanGenerator } from './gan-model.js';

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

/**
 * Runs the generator: [count, length, F] row-major, in the scaled feature space. Each sequence is
 * generated with spec.burnIn extra leading steps that are dropped.
 */
export function generateSequences(generator: GanGenerator, request: SampleRequest): Float32Array {
  const { count, length } = request;
  if (request.labels.length !== count) {
    throw new RangeError(
      `generateSequences needs one label per sequence: ${request.labels.length} for ${count}`,
    );
  }
  const { noiseDim, context, width, burnIn } = generator.spec;
  const steps = length + burnIn;
  const rng = new SeededRandom(request.seed);
  const out = new Float32Array(count * length * width);
  const batch = request.batchSize ?? 256;
  for (let start = 0; start < count; start += batch) {
    const b = Math.min(batch, count - start);
    const label = new Float32Array(b * steps);
    for (let i = 0; i < b; i++) label.fill(request.labels[start + i] as number, i * steps, (i + 1) * steps);
    const values = tf.tidy(() => {
      const y = generator.apply(
        tf.tensor3d(unfoldedNoise(rng, b, steps, noiseDim, context), [b, steps, context * noiseDim]),
        tf.tensor3d(gaussianNoise(rng, b * steps * width), [b, steps, width]),
        tf.tensor3d(label, [b, steps, 1]),
      );
      return y.slice([0, burnIn, 0], [b, length, width]).dataSync() as Float32Array;
    });
    out.set(values, start * length * width);
  }
  return out;
}
