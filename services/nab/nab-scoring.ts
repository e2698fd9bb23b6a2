import type { CostProfile } from './nab-profiles.js';
import { NAB_PROBATIONARY_FRACTION } from './nab-profiles.js';

/**
 * The NAB scoring rules (Lavin & Ahmad 2015; numenta/NAB nab/sweeper.py, whose conventions are
 * kept, including the off-by-one ones, so that numbers are comparable with the scoreboard).
 * Pure functions over index-based windows.
 */

/**
 * 2 * sigmoid(-5 y) - 1: ~0.987 at y = -1 (a window's left edge), 0 at y = 0 (its right edge),
 * ~-0.987 at y = 1; exactly -1 from y = 3 on.
 */
export function scaledSigmoid(y: number): number {
  if (y >= 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** Unscored rows at the start of a file: min(floor(0.15 n), 0.15 * 5000 = 750). */
export function probationaryLength(rows: number, fraction = NAB_PROBATIONARY_FRACTION): number {
  return Math.min(Math.floor(fraction * rows), fraction * 5000);
}

/** A labelled window as inclusive row indices. */
export interface IndexWindow {
  start: number;
  end: number;
}

/**
 * Row-index windows from time windows: the first row at or after the start to the last row at or
 * before the end (NAB's labels are aligned to rows, so these are exact matches there). Windows
 * with no row are dropped.
 */
export function windowsToIndices(
  timestamps: readonly number[],
  windows: ReadonlyArray<readonly [number, number]>,
): IndexWindow[] {
  const out: IndexWindow[] = [];
  for (const [from, to] of windows) {
    let start = -1;
    let end = -1;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i] as number;
      if (t >= from && t <= to) {
        if (start < 0) start = i;
        end = i;
      }
    }
    if (start >= 0) out.push({ start, end });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** One scorable row: its anomaly score, what a detection there is worth, and its window. */
export interface SweepRow {
  anomalyScore: number;
  /** Weighted value of a detection here: a TP's scaled sigmoid (normalised to tpWeight at the left edge) or an FP's. */
  sweepScore: number;
  /** Corpus-wide window id, or -1 outside every window. */
  window: number;
}

/**
 * The scorable rows of one file (probationary rows dropped) with their sweep scores.
 * Inside a window of width w ending at row R: y = -(R - i + 1) / w, worth
 * tpWeight * scaledSigmoid(y) / scaledSigmoid(-1). Outside: y = (i - R_prev) / (w_prev - 1) after
 * the last window, worth fpWeight * scaledSigmoid(y); -fpWeight before any window.
 * `windowIdBase` numbers this file's windows after those of earlier files.
 */
export function sweepRows(
  anomalyScores: ArrayLike<number>,
  windows: readonly IndexWindow[],
  profile: CostProfile,
  windowIdBase: number,
  probationFraction = NAB_PROBATIONARY_FRACTION,
): SweepRow[] {
  const n = anomalyScores.length;
  const probation = probationaryLength(n, probationFraction);
  const maxTp = scaledSigmoid(-1);
  const rows: SweepRow[] = [];
  let w = 0;
  let prev: IndexWindow | null = null;
  for (let i = 0; i < n; i++) {
    while (w < windows.length && (windows[w] as IndexWindow).end < i) {
      prev = windows[w] as IndexWindow;
      w++;
    }
    const cur = windows[w];
    const inside = cur !== undefined && i >= cur.start && i <= cur.end;
    let sweepScore: number;
    if (inside) {
      const width = cur.end - cur.start + 1;
      sweepScore = (scaledSigmoid(-(cur.end - i + 1) / width) * profile.tpWeight) / maxTp;
    } else if (prev === null) {
      sweepScore = -profile.fpWeight;
    } else {
      const width = prev.end - prev.start + 1;
      // A one-row window has no width to scale by; NAB's scorer then uses y = 2.
      const y = width > 1 ? Math.abs(prev.end - i) / (width - 1) : 2;
      sweepScore = scaledSigmoid(y) * profile.fpWeight;
    }
    if (i >= probation) {
      rows.push({
        anomalyScore: anomalyScores[i] as number,
        sweepScore,
        window: inside ? windowIdBase + w : -1,
      });
    }
  }
  return rows;
}

export interface ThresholdScore {
  /** Detections are rows with anomalyScore >= threshold. */
  threshold: number;
  score: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Raw NAB score at every distinct threshold, highest threshold first, starting with 1.1 (nothing
 * detected: every window a miss). Only the best (earliest) detection in a window counts; every
 * detection outside windows adds its (negative) sweep score. tp/fp/fn/tn count rows.
 */
export function scoresByThreshold(rows: readonly SweepRow[], profile: CostProfile): ThresholdScore[] {
  const sorted = [...rows].sort((a, b) => b.anomalyScore - a.anomalyScore);
  const windowBest = new Map<number, number>();
  for (const r of sorted) if (r.window >= 0) windowBest.set(r.window, -profile.fnWeight);
  let windowSum = -profile.fnWeight * windowBest.size;
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let fn = sorted.filter((r) => r.window >= 0).length;
  let tn = sorted.length - fn;
  const out: ThresholdScore[] = [];
  let threshold = 1.1;
  for (const r of sorted) {
    if (r.anomalyScore !== threshold) {
      out.push({ threshold, score: windowSum + fpSum, tp, fp, fn, tn });
      threshold = r.anomalyScore;
    }
    if (r.window >= 0) {
      tp++;
      fn--;
      const best = windowBest.get(r.window) as number;
      if (r.sweepScore > best) {
        windowSum += r.sweepScore - best;
        windowBest.set(r.window, r.sweepScore);
      }
    } else {
      fp++;
      tn--;
      fpSum += r.sweepScore;
    }
  }
  out.push({ threshold, score: windowSum + fpSum, tp, fp, fn, tn });
  return out;
}

/** The threshold with the highest score (the higher threshold on ties, as NAB's sort is stable). */
export function bestThreshold(scores: readonly ThresholdScore[]): ThresholdScore {
  let best = scores[0];
  if (best === undefined) throw new RangeError('no threshold scores to choose from');
  for (const s of scores) if (s.score > best.score) best = s;
  return best;
}

/** NAB's normalised score: 100 * (raw - null) / (perfect - null). */
export function normalizeScore(raw: number, nullScore: number, perfectScore: number): number {
  return (100 * (raw - nullScore)) / (perfectScore - nullScore);
}

/** Scorable windows: those with at least one row after the probationary period. */
export function scorableWindowCount(rows: readonly SweepRow[]): number {
  return new Set(rows.filter((r) => r.window >= 0).map((r) => r.window)).size;
}
