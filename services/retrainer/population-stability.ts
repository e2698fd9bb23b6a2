import { binFractions, describeDistribution } from '../models/bundle/feature-distribution.js';

/**
 * Share assumed for a bin that holds no values on one side. ln(0) is undefined, and a share that
 * is merely tiny should cost a lot but not infinitely much; 1e-4 is the usual choice.
 */
export const PSI_EPSILON = 1e-4;

/** A reference distribution as bins: edges at its quantiles and the share of values per bin. */
export interface BinnedReference {
  /** Ascending bin edges; the first bin is open below and the last open above. */
  edges: readonly number[];
  /** Reference share per bin: edges.length - 1 entries (one when there is a single edge). */
  fractions: readonly number[];
}

export interface PsiResult {
  psi: number;
  /** Recent values that were finite and counted. */
  count: number;
  /** Recent share per reference bin. */
  actual: number[];
  expected: number[];
}

/**
 * Population stability index of two binned distributions:
 *   PSI = sum_i (a_i - e_i) * ln(a_i / e_i)
 * with empty bins on either side floored at PSI_EPSILON. Symmetric in a and e, 0 when equal.
 */
export function psiOfShares(
  expected: readonly number[],
  actual: readonly number[],
  epsilon = PSI_EPSILON,
): number {
  if (expected.length !== actual.length) {
    throw new RangeError(
      `PSI needs the same bins on both sides, got ${expected.length} and ${actual.length}`,
    );
  }
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(epsilon, expected[i] as number);
    const a = Math.max(epsilon, actual[i] as number);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** PSI of recent raw values against a reference's bins (e.g. a bundle's trainingDistribution). */
export function populationStability(reference: BinnedReference, recent: readonly number[]): PsiResult {
  const expected = [...reference.fractions];
  const binCount = Math.max(1, reference.edges.length - 1);
  if (expected.length !== binCount) {
    throw new RangeError(
      `reference has ${reference.edges.length} edges, so ${binCount} bin shares were expected, got ${expected.length}`,
    );
  }
  const actual = binFractions(recent, reference.edges);
  const count = recent.filter((v) => Number.isFinite(v)).length;
  return { psi: count === 0 ? Number.NaN : psiOfShares(expected, actual), count, actual, expected };
}

/** Bins a reference sample at its quantiles (deciles by default), as the train command stores them. */
export function referenceFromSample(values: readonly number[], bins = 10): BinnedReference {
  const d = describeDistribution('market', 'sample', values, bins);
  return { edges: d.edges, fractions: d.fractions };
}
