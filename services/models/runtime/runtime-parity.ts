import type { SequenceBatch } from '../../shared/contracts/sequence-batch.js';
import { SeededRandom } from '../training/seeded-random.js';
import type { RiskOutputs, RiskRuntime } from './risk-runtime.js';

/** Largest accepted |a - b| over every output of the parity batch. */
export const PARITY_TOLERANCE = 1e-4;

export interface BatchShape {
  seqLen: number;
  marketWidth: number;
  macroWidth: number;
  sentimentWidth: number;
}

/** A reproducible batch of scaled-looking inputs (uniform in [-2, 2]) for parity checks. */
export function parityBatch(shape: BatchShape, size = 64, seed = 7): SequenceBatch {
  const rng = new SeededRandom(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
  return {
    size,
    ...shape,
    market: fill(size * shape.seqLen * shape.marketWidth),
    macro: fill(size * shape.macroWidth),
    sentiment: fill(size * shape.sentimentWidth),
    meta: [],
  };
}

const COMPARED = ['eventProbability', 'volatility', 'q01', 'q05'] as const;

/** Max absolute difference between two runtimes' outputs on the same batch. */
export function maxAbsDiff(a: RiskOutputs, b: RiskOutputs): number {
  let worst = 0;
  for (const key of COMPARED) {
    const x = a[key];
    const y = b[key];
    if (x.length !== y.length) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs((x[i] as number) - (y[i] as number));
      if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    }
  }
  return worst;
}

/** Runs both runtimes on the parity batch and returns their max absolute difference. */
export async function measureParity(
  reference: RiskRuntime,
  candidate: RiskRuntime,
  shape: BatchShape,
): Promise<number> {
  const batch = parityBatch(shape);
  return maxAbsDiff(await reference.predict(batch), await candidate.predict(batch));
}
