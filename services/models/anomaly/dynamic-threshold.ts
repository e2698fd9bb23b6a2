/**
 * The nonparametric dynamic threshold of Hundman et al. 2018, "Detecting Spacecraft Anomalies
 * Using LSTMs and Nonparametric Dynamic Thresholding" (telemanom), as pure functions over a window
 * of smoothed errors. The defaults are the paper's / telemanom's (z in 2.5..12 step 0.5,
 * error buffer 100, at most 5 sequences, pruning p = 0.13).
 */
export interface ThresholdParams {
  /** Smoothed errors the threshold is chosen over (telemanom: 30 batches of 70 = 2100). */
  windowSize: number;
  /** Fewest smoothed errors before a threshold is chosen at all. */
  minWindow: number;
  zMin: number;
  /** Exclusive upper end of the z grid; also the fallback z when no candidate qualifies. */
  zMax: number;
  zStep: number;
  /** Each anomalous index also marks its neighbours up to errorBuffer - 1 away (telemanom's buffer). */
  errorBuffer: number;
  /** Candidates with more anomalous sequences than this are rejected. */
  maxSequences: number;
  /** Candidates marking this share of the window or more are rejected. */
  maxAnomalousFraction: number;
  /** Minimum relative drop p between successive sequence maxima (pruning). */
  pruneMinDrop: number;
  /** Floor on epsilon, in the units of the smoothed error (standardised errors: ~0.5 sd). */
  minEpsilon: number;
  /** Re-choose epsilon every this many rows (1 = every row). */
  recomputeEvery: number;
}

export const DEFAULT_THRESHOLD_PARAMS: ThresholdParams = {
  windowSize: 2100,
  minWindow: 100,
  zMin: 2.5,
  zMax: 12,
  zStep: 0.5,
  errorBuffer: 100,
  maxSequences: 5,
  maxAnomalousFraction: 0.5,
  pruneMinDrop: 0.13,
  minEpsilon: 0.5,
  recomputeEvery: 1,
};

export interface EpsilonChoice {
  epsilon: number;
  /** The z of the chosen epsilon = mean + z * std (zMax when no candidate qualified). */
  z: number;
  mean: number;
  std: number;
  /** The objective (delta_mean/mean + delta_std/std) / (|E_seq|^2 + |anomalous|) of the choice. */
  objective: number;
}

/** An inclusive index range of buffered anomalous points. */
export interface ErrorSequence {
  start: number;
  end: number;
  max: number;
}

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  return { mean, std: n > 0 ? Math.sqrt(ss / n) : 0 };
}

/**
 * Groups the points at or above epsilon, each widened by errorBuffer - 1 on both sides (clipped
 * to the window), into maximal runs of consecutive indices. Returns the runs (including
 * single-point ones) and how many indices they cover.
 */
export function bufferedRuns(
  values: ArrayLike<number>,
  epsilon: number,
  errorBuffer: number,
): { runs: ErrorSequence[]; covered: number } {
  const n = values.length;
  const reach = Math.max(0, errorBuffer - 1);
  const runs: ErrorSequence[] = [];
  let covered = 0;
  let cur: ErrorSequence | null = null;
  for (let i = 0; i < n; i++) {
    if ((values[i] as number) < epsilon) continue;
    const start = Math.max(0, i - reach);
    const end = Math.min(n - 1, i + reach);
    if (cur !== null && start <= cur.end + 1) {
      cur.end = Math.max(cur.end, end);
    } else {
      if (cur !== null) runs.push(cur);
      cur = { start, end, max: 0 };
    }
  }
  if (cur !== null) runs.push(cur);
  for (const r of runs) {
    covered += r.end - r.start + 1;
    let m = Number.NEGATIVE_INFINITY;
    for (let i = r.start; i <= r.end; i++) m = Math.max(m, values[i] as number);
    r.max = m;
  }
  return { runs, covered };
}

/**
 * Chooses epsilon = mean + z * std over the window: among the z of the grid whose anomalies
 * (points >= epsilon, buffered) form at most maxSequences sequences and cover less than
 * maxAnomalousFraction of the window, the one maximising
 *   (delta_mean / mean + delta_std / std) / (|E_seq|^2 + |e_a|)
 * where delta_* is the drop of the mean / std when the anomalous points are removed, E_seq the
 * multi-point sequences and e_a the anomalous (buffered) indices. Ties go to the larger z.
 * With no qualifying z (or a constant window) epsilon = mean + zMax * std. Floored at minEpsilon.
 */
export function chooseEpsilon(values: ArrayLike<number>, p: ThresholdParams): EpsilonChoice {
  const n = values.length;
  const stats = meanStd(values);
  const mean = stats.mean;
  // A spread at rounding level is no spread: a flat window must not flag itself.
  const std = stats.std > 1e-12 + 1e-9 * Math.abs(mean) ? stats.std : 0;
  let best: EpsilonChoice = { epsilon: mean + p.zMax * std, z: p.zMax, mean, std, objective: 0 };
  if (n > 0 && std > 0 && mean > 0) {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) max = Math.max(max, values[i] as number);
    const reach = Math.max(0, p.errorBuffer - 1);
    let bestObjective = Number.NEGATIVE_INFINITY;
    for (let z = p.zMin; z < p.zMax - 1e-9; z += p.zStep) {
      const epsilon = mean + z * std;
      // Nothing at or above epsilon: the candidate flags nothing and is skipped (as is every
      // larger z, but the loop stays the grid's so that z accumulates exactly as before).
      if (max < epsilon) continue;
      // One pass: the sums of the kept points in index order (as the plain two-pass version
      // adds them) and the buffered runs' count and coverage (bufferedRuns without maxima).
      let keptSum = 0;
      let keptSq = 0;
      let kept = 0;
      let covered = 0;
      let sequences = 0;
      let runStart = -1;
      let runEnd = -2;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        if (v < epsilon) {
          keptSum += v;
          keptSq += v * v;
          kept++;
          continue;
        }
        const start = Math.max(0, i - reach);
        const end = Math.min(n - 1, i + reach);
        if (runStart >= 0 && start <= runEnd + 1) {
          runEnd = Math.max(runEnd, end);
        } else {
          if (runStart >= 0) {
            covered += runEnd - runStart + 1;
            if (runEnd > runStart) sequences++;
          }
          runStart = start;
          runEnd = end;
        }
      }
      if (runStart >= 0) {
        covered += runEnd - runStart + 1;
        if (runEnd > runStart) sequences++;
      }
      const keptMean = kept > 0 ? keptSum / kept : 0;
      const keptStd = kept > 0 ? Math.sqrt(Math.max(0, keptSq / kept - keptMean * keptMean)) : 0;
      const objective = ((mean - keptMean) / mean + (std - keptStd) / std) / (sequences ** 2 + covered);
      if (objective >= bestObjective && sequences <= p.maxSequences && covered < n * p.maxAnomalousFraction) {
        bestObjective = objective;
        best = { epsilon, z, mean, std, objective };
      }
    }
  }
  return { ...best, epsilon: Math.max(best.epsilon, p.minEpsilon) };
}

/**
 * telemanom's pruning: the sequences' maxima, sorted descending and followed by the largest
 * non-anomalous value, are walked from the top; a sequence whose maximum exceeds the next value
 * by less than the fraction p is marked for removal, and a drop of at least p clears the marks
 * so far. What is left marked is reclassified nominal. Returns the kept sequences.
 */
export function pruneSequences(
  values: ArrayLike<number>,
  runs: readonly ErrorSequence[],
  pruneMinDrop: number,
): ErrorSequence[] {
  if (runs.length === 0) return [];
  let nominalMax = 0;
  let r = 0;
  for (let i = 0; i < values.length; i++) {
    while (r < runs.length && (runs[r] as ErrorSequence).end < i) r++;
    const run = runs[r];
    const inside = run !== undefined && i >= run.start && i <= run.end;
    if (!inside) nominalMax = Math.max(nominalMax, values[i] as number);
  }
  const sorted = runs.map((s) => s.max).sort((a, b) => b - a);
  sorted.push(nominalMax);
  let removeAbove = Number.NaN;
  for (let i = 0; i < sorted.length - 1; i++) {
    const hi = sorted[i] as number;
    const lo = sorted[i + 1] as number;
    const drop = hi > 0 ? (hi - lo) / hi : 0;
    if (drop < pruneMinDrop) {
      if (Number.isNaN(removeAbove)) removeAbove = hi;
    } else {
      removeAbove = Number.NaN;
    }
  }
  // Marked maxima form the tail of the sorted list: everything at or below removeAbove.
  if (Number.isNaN(removeAbove)) return [...runs];
  return runs.filter((s) => s.max > removeAbove);
}
