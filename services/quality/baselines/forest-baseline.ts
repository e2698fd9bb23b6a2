import { createHash } from 'node:crypto';
import { RandomForestRegression } from 'ml-random-forest';
import { SeededRandom } from '../../models/training/seeded-random.js';
import type { LabelledSample } from '../walk-forward.js';
import {
  type BaselineContext,
  type FittedBaseline,
  fitStandardizer,
  lastBarFeatures,
  standardize,
} from './baseline.js';

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  minSamplesPerLeaf: number;
  /** Share of features tried per tree. */
  maxFeatures: number;
  /**
   * At most this many fit samples (a seeded uniform subsample, so the base rate is kept): ml-cart
   * tries every label change as a split point, O(n^2) per node, ~1.6 s per tree at 2,000 rows.
   */
  maxRows: number;
  seed: number;
}

export const DEFAULT_FOREST_OPTIONS: ForestOptions = {
  trees: 20,
  maxDepth: 5,
  minSamplesPerLeaf: 20,
  maxFeatures: 0.5,
  maxRows: 3000,
  seed: 42,
};

/**
 * Random forest (ml-random-forest) on the same last-bar features as the logistic baseline. It is a
 * REGRESSION forest on the 0/1 label: each tree's leaf holds the event share of its samples, so the
 * forest's mean is a probability. The classifier variant votes each tree's majority class, which
 * at a 4% base rate is almost always 0 and ranks nothing.
 */
export function fitForestBaseline(
  ctx: BaselineContext,
  fit: readonly LabelledSample[],
  options: ForestOptions = DEFAULT_FOREST_OPTIONS,
): FittedBaseline {
  if (fit.length === 0) throw new RangeError('the forest baseline needs fit samples before the cutoff');
  const rows = subsample(fit, options.maxRows, options.seed);
  const raw = rows.map((s) => lastBarFeatures(ctx, s));
  const scaler = fitStandardizer(raw);
  const forest = new RandomForestRegression({
    nEstimators: options.trees,
    maxFeatures: options.maxFeatures,
    replacement: false,
    seed: options.seed,
    useSampleBagging: true,
    noOOB: true,
    selectionMethod: 'mean',
    treeOptions: { maxDepth: options.maxDepth, minNumSamples: options.minSamplesPerLeaf },
  });
  forest.train(
    raw.map((r) => standardize(r, scaler)),
    rows.map((s) => s.event),
  );
  return {
    name: 'forest',
    params: {
      trees: options.trees,
      maxDepth: options.maxDepth,
      rows: rows.length,
      seed: options.seed,
      // A fingerprint of the fitted trees, so tests can tell whether two fits are the same.
      fingerprint: createHash('sha256').update(JSON.stringify(forest.toJSON())).digest('hex').slice(0, 16),
    },
    score: (samples) => {
      if (samples.length === 0) return new Float64Array(0);
      const p = forest.predict(samples.map((s) => standardize(lastBarFeatures(ctx, s), scaler)));
      return Float64Array.from(p, (v) => Math.min(1, Math.max(0, v)));
    },
  };
}

/** A seeded uniform sample without replacement (partial Fisher-Yates), in the original order. */
function subsample<T>(items: readonly T[], max: number, seed: number): T[] {
  if (items.length <= max) return [...items];
  const rng = new SeededRandom(seed);
  const idx = Array.from({ length: items.length }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng.next() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx
    .slice(0, max)
    .sort((a, b) => a - b)
    .map((i) => items[i] as T);
}
