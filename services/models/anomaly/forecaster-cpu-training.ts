import { SeededRandom } from '../training/seeded-random.js';
import {
  type CpuForecaster,
  type ForecasterWeights,
  WEIGHT_NAMES,
  type WeightGradients,
  zerosLikeWeights,
} from './forecaster-cpu-network.js';
import { toResidualTargets } from './forecaster-model.js';
import { type ForecasterFitOptions, type ForecastSamples, gatherMinibatch } from './forecaster-training.js';

const f32 = Math.fround;

/**
 * tfjs' AdamOptimizer (beta1 0.9, beta2 0.999, epsilon 1e-7 = the float32 backends' epsilon) on
 * plain arrays. Every elementwise step is rounded to float32 as tfjs' kernels do, so given the
 * same gradients the update is tfjs' to the bit. The moments and the beta powers live as long as
 * the optimizer, so fine-tuning keeps its state as a compiled tfjs model does.
 */
export class CpuAdam {
  private readonly beta1 = f32(0.9);
  private readonly beta2 = f32(0.999);
  private readonly oneMinusBeta1 = f32(1 - 0.9);
  private readonly oneMinusBeta2 = f32(1 - 0.999);
  private readonly epsilon = f32(1e-7);
  private readonly learningRate: number;
  private accBeta1 = f32(0.9);
  private accBeta2 = f32(0.999);
  private readonly m: Record<(typeof WEIGHT_NAMES)[number], Float32Array>;
  private readonly v: Record<(typeof WEIGHT_NAMES)[number], Float32Array>;

  constructor(weights: ForecasterWeights, learningRate: number) {
    this.learningRate = f32(-learningRate);
    this.m = zerosLikeWeights(weights, (n) => new Float32Array(n));
    this.v = zerosLikeWeights(weights, (n) => new Float32Array(n));
  }

  step(weights: ForecasterWeights, grads: WeightGradients): void {
    const { beta1, beta2, oneMinusBeta1, oneMinusBeta2, epsilon, learningRate } = this;
    const c1 = f32(1 - this.accBeta1);
    const c2 = f32(1 - this.accBeta2);
    for (const name of WEIGHT_NAMES) {
      const w = weights[name];
      const g = grads[name];
      const m = this.m[name];
      const v = this.v[name];
      for (let i = 0; i < w.length; i++) {
        const gi = f32(g[i] as number);
        const mi = f32(f32((m[i] as number) * beta1) + f32(gi * oneMinusBeta1));
        const vi = f32(f32((v[i] as number) * beta2) + f32(f32(gi * gi) * oneMinusBeta2));
        m[i] = mi;
        v[i] = vi;
        const mHat = f32(mi / c1);
        const vHat = f32(vi / c2);
        const stepSize = f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + epsilon)) * learningRate);
        w[i] = f32(stepSize + (w[i] as number));
      }
    }
    this.accBeta1 = f32(this.accBeta1 * beta1);
    this.accBeta2 = f32(this.accBeta2 * beta2);
  }
}

/**
 * fitForecaster (forecaster-training.ts) on a CpuForecaster: the same seeded per-epoch
 * shuffles, minibatches, residual targets and Huber loss, with the weights updated in place by
 * `adam`. Returns the mean training loss per epoch.
 */
export function fitCpuForecaster(
  net: CpuForecaster,
  adam: CpuAdam,
  samples: ForecastSamples,
  options: Pick<ForecasterFitOptions, 'epochs' | 'batchSize' | 'seed'>,
): number[] {
  const spec = net.spec;
  const fout = net.fout;
  const rowSize = net.seqLen * net.fin;
  const n = samples.count;
  if (n === 0) return [];
  const targets = samples.targets.slice(0, n * fout);
  toResidualTargets(spec, samples.inputs, targets, n);
  const rng = new SeededRandom(options.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const batchSize = Math.max(1, Math.min(options.batchSize, n));
  const xb = new Float32Array(batchSize * rowSize);
  const yb = new Float32Array(batchSize * fout);
  const grads = zerosLikeWeights(net.weights, (k) => new Float64Array(k));
  const losses: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    rng.shuffle(order);
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      gatherMinibatch(order, start, size, { inputs: samples.inputs, targets, rowSize, fout }, xb, yb);
      sum += net.lossAndGradients(xb, yb, size, grads);
      adam.step(net.weights, grads);
      batches++;
    }
    losses.push(sum / Math.max(1, batches));
  }
  return losses;
}
