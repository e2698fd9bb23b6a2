import { describe, expect, it } from 'vitest';
import { describeDistribution } from '../../../services/models/bundle/feature-distribution.js';
import { SeededRandom } from '../../../services/models/training/seeded-random.js';
import { checkDrift } from '../../../services/retrainer/drift-check.js';
import {
  PSI_EPSILON,
  populationStability,
  psiOfShares,
  referenceFromSample,
} from '../../../services/retrainer/population-stability.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';

function normals(n: number, mean: number, std: number, seed: number): number[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const u = Math.max(1e-12, rng.next());
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  });
}

describe('population stability index', () => {
  it('matches a hand-computed two-bin case', () => {
    // (0.8 - 0.5) ln(0.8 / 0.5) + (0.2 - 0.5) ln(0.2 / 0.5) = 0.3 ln 1.6 + 0.3 ln 2.5
    expect(psiOfShares([0.5, 0.5], [0.8, 0.2])).toBeCloseTo(0.3 * Math.log(1.6) + 0.3 * Math.log(2.5), 12);
    // Same through the binning: reference edges [0, 1, 2], half the values in each bin.
    const result = populationStability(
      { edges: [0, 1, 2], fractions: [0.5, 0.5] },
      [0.1, 0.2, 0.3, 0.4, 1.5],
    );
    expect(result.actual).toEqual([0.8, 0.2]);
    expect(result.psi).toBeCloseTo(0.4158883, 6);
  });

  it('is about 0 for the same distribution and above 0.25 for a shifted one', () => {
    const reference = referenceFromSample(normals(5000, 0, 1, 1));
    expect(reference.fractions).toHaveLength(10);
    expect(populationStability(reference, normals(5000, 0, 1, 2)).psi).toBeLessThan(0.02);
    expect(populationStability(reference, normals(5000, 1, 1, 3)).psi).toBeGreaterThan(0.25);
    expect(populationStability(reference, normals(5000, 0, 2, 4)).psi).toBeGreaterThan(0.25);
  });

  it('floors empty bins at epsilon instead of going infinite', () => {
    const psi = psiOfShares([0.5, 0.5], [1, 0]);
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeCloseTo(0.5 * Math.log(1 / 0.5) + (PSI_EPSILON - 0.5) * Math.log(PSI_EPSILON / 0.5), 12);
  });

  it('says what it expected when the bins do not pair up', () => {
    expect(() => psiOfShares([0.5, 0.5], [1])).toThrow(/same bins on both sides, got 2 and 1/);
    expect(() => populationStability({ edges: [0, 1, 2], fractions: [1] }, [1])).toThrow(
      /3 edges, so 2 bin shares were expected, got 1/,
    );
  });
});

describe('drift check', () => {
  const thresholds = { warn: 0.1, retrain: 0.25 };
  const reference = (bars: ReturnType<typeof syntheticJoinedBars>) => [
    ...SYNTHETIC_FEATURES.market.map((n) =>
      describeDistribution(
        'market',
        n,
        bars.map((b) => (b.bar as unknown as Record<string, number>)[n] as number),
      ),
    ),
    ...SYNTHETIC_FEATURES.macro.map((n, j) =>
      describeDistribution(
        'macro',
        n,
        bars.map((b) => b.macro[j] as number),
      ),
    ),
  ];

  it('returns ok with the numbers for recent bars like the training ones', () => {
    const train = syntheticJoinedBars('AAA', 600, 7);
    const verdict = checkDrift(
      { reference: reference(train), recent: train, features: SYNTHETIC_FEATURES },
      thresholds,
    );
    expect(verdict.level).toBe('ok');
    expect(verdict.features.length).toBeGreaterThan(0);
    for (const f of verdict.features) expect(f.psi).toBeLessThan(1e-9);
    expect(verdict.score).toBeNull();
    // Sentiment has no reference here: reported as skipped, not as drift.
    expect(verdict.skipped).toContain('sentiment.ewmaSentiment');
  });

  it('asks for retraining when a feature moved, naming it, and checks the score too', () => {
    const train = syntheticJoinedBars('AAA', 600, 7);
    const recent = syntheticJoinedBars('AAA', 300, 8).map((b) => ({
      ...b,
      bar: { ...b.bar, spreadBps: b.bar.spreadBps + 3 },
    }));
    const scoreReference = referenceFromSample(normals(2000, 0.05, 0.01, 9));
    const verdict = checkDrift(
      {
        reference: reference(train),
        recent,
        features: SYNTHETIC_FEATURES,
        scoreReference,
        recentScores: normals(500, 0.05, 0.01, 10),
      },
      thresholds,
    );
    expect(verdict.level).toBe('retrain');
    expect(verdict.worst).toMatchObject({ group: 'market', name: 'spreadBps', level: 'retrain' });
    expect(verdict.score?.level).toBe('ok');
    expect(() =>
      checkDrift({ reference: [], recent, features: SYNTHETIC_FEATURES }, { warn: 1, retrain: 0.5 }),
    ).toThrow(/warn <= retrain, got warn 1, retrain 0.5/);
  });
});
