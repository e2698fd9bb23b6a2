import { describe, expect, it } from 'vitest';
import type { RiskSplit } from '../../../services/models/risk/risk-dataset.js';
import { rankFeaturesByMi } from '../../../services/models/selection/feature-ranking.js';
import {
  digamma,
  discreteEntropy,
  discreteMutualInformation,
  knnMutualInformation,
} from '../../../services/models/selection/mutual-information.js';
import { SeededRandom } from '../../../services/models/training/seeded-random.js';
import { gaussians } from '../gan/known-series.js';

const EULER = 0.5772156649015329;

/** I(X;Y) for balanced Y and X | Y ~ N(+-mu, 1): H(mixture) - H(N(0,1)), the entropy by quadrature. */
function gaussianShiftMi(mu: number): number {
  const pdf = (x: number, m: number) => Math.exp(-0.5 * (x - m) ** 2) / Math.sqrt(2 * Math.PI);
  let h = 0;
  const step = 1e-3;
  for (let x = -12; x <= 12; x += step) {
    const p = 0.5 * pdf(x, -mu) + 0.5 * pdf(x, mu);
    if (p > 0) h -= p * Math.log(p) * step;
  }
  return h - 0.5 * Math.log(2 * Math.PI * Math.E);
}

describe('digamma', () => {
  it('matches known values', () => {
    expect(digamma(1)).toBeCloseTo(-EULER, 10);
    expect(digamma(2)).toBeCloseTo(1 - EULER, 10);
    expect(digamma(0.5)).toBeCloseTo(-EULER - 2 * Math.log(2), 10);
    expect(digamma(100)).toBeCloseTo(4.600161852738087, 10);
  });
});

describe('discrete mutual information', () => {
  it('of a variable with itself is its entropy', () => {
    expect(discreteEntropy([0, 0, 1, 1])).toBeCloseTo(Math.LN2, 12);
    const x = [0, 1, 2, 2];
    // -(2 * 1/4 ln 1/4 + 1/2 ln 1/2)
    expect(discreteMutualInformation(x, x)).toBeCloseTo(1.0397207708399179, 12);
    expect(discreteMutualInformation(x, x)).toBeCloseTo(discreteEntropy(x), 12);
  });
  it('is 0 for independent variables and for a constant', () => {
    expect(discreteMutualInformation([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(discreteMutualInformation([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0);
    expect(() => discreteMutualInformation([1], [1, 2])).toThrow(/equal length, got 1 and 2/);
  });
});

describe('k-NN (Ross) mutual information, continuous feature vs discrete label', () => {
  const n = 4000;
  const rng = new SeededRandom(5);
  const labels = Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));

  it('is ~0 for an independent feature', () => {
    // The estimator's spread at n = 4000 is ~0.005-0.01 nats (it is clamped at 0 from below).
    expect(knnMutualInformation(gaussians(n, 9), labels)).toBeLessThan(0.02);
  });

  it('is ln 2 when the classes occupy disjoint ranges (the feature determines a balanced label)', () => {
    const u = new SeededRandom(8);
    const x = Float64Array.from(labels, (y) => 2 * y + u.next());
    expect(knnMutualInformation(x, labels)).toBeCloseTo(Math.LN2, 1);
    expect(Math.abs(knnMutualInformation(x, labels) - Math.LN2)).toBeLessThan(0.02);
  });

  it('matches the closed form of a Gaussian shift', () => {
    const z = gaussians(n, 4);
    const x = Float64Array.from(labels, (y, i) => (y === 1 ? 1 : -1) + (z[i] as number));
    const exact = gaussianShiftMi(1);
    expect(exact).toBeGreaterThan(0.2);
    expect(Math.abs(knnMutualInformation(x, labels) - exact)).toBeLessThan(0.03);
  });

  it('does not change under a monotone rescaling and survives ties', () => {
    const z = gaussians(n, 4);
    const x = Float64Array.from(labels, (y, i) => y + (z[i] as number));
    const a = knnMutualInformation(x, labels);
    expect(
      knnMutualInformation(
        Float64Array.from(x, (v) => 1000 * v + 3),
        labels,
      ),
    ).toBeCloseTo(a, 6);
    const rounded = Float64Array.from(x, (v) => Math.round(v * 4) / 4);
    expect(Number.isFinite(knnMutualInformation(rounded, labels))).toBe(true);
  });
});

describe('feature ranking on a split', () => {
  it('ranks an informative last-bar feature above noise and a constant', () => {
    const size = 600;
    const l = 3;
    const f = 2;
    const rng = new SeededRandom(2);
    const z = gaussians(size * l * f, 3);
    const event = Float32Array.from({ length: size }, () => (rng.next() < 0.2 ? 1 : 0));
    const market = new Float32Array(size * l * f);
    for (let i = 0; i < size; i++) {
      for (let t = 0; t < l; t++) {
        const base = (i * l + t) * f;
        market[base] = z[base] as number;
        market[base + 1] = (z[base + 1] as number) + (t === l - 1 ? 3 * (event[i] as number) : 0);
      }
    }
    const split = {
      size,
      seqLen: l,
      marketWidth: f,
      macroWidth: 1,
      sentimentWidth: 0,
      market,
      macro: new Float32Array(size).fill(1),
      sentiment: new Float32Array(0),
      event,
    } as unknown as RiskSplit;
    const ranking = rankFeaturesByMi(split, { market: ['noise', 'signal'], macro: ['flat'], sentiment: [] });
    expect(ranking[0]).toMatchObject({ group: 'market', name: 'signal', estimator: 'knn' });
    expect(ranking[0]?.mi).toBeGreaterThan(0.1);
    const byName = new Map(ranking.map((r) => [r.name, r]));
    expect(byName.get('noise')?.mi).toBeLessThan(0.02);
    expect(byName.get('flat')).toMatchObject({ group: 'macro', estimator: 'discrete', distinct: 1, mi: 0 });
  });
});
