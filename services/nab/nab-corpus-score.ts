import type { CostProfile } from './nab-profiles.js';
import {
  bestThreshold,
  type IndexWindow,
  normalizeScore,
  type SweepRow,
  scorableWindowCount,
  scoresByThreshold,
  sweepRows,
  windowsToIndices,
} from './nab-scoring.js';
import type { CorpusWindows } from './nab-windows.js';

/** One file's detector output, as NAB scores it. */
export interface ScoredSeries {
  /** Path relative to the corpus root with forward slashes: the windows.json key. */
  relative: string;
  timestamps: readonly number[];
  scores: ArrayLike<number>;
}

export interface ProfileResult {
  profile: string;
  weights: { tp: number; fp: number; fn: number };
  /** The corpus-wide threshold that maximises the raw score. */
  threshold: number;
  rawScore: number;
  nullScore: number;
  perfectScore: number;
  /** 100 * (raw - null) / (perfect - null). */
  normalizedScore: number;
  windows: number;
  detectedWindows: number;
  /** Rows at or above the threshold outside windows (after the probationary periods). */
  falsePositiveRows: number;
}

export class MissingLabelsError extends Error {
  override readonly name = 'MissingLabelsError';
}

/**
 * Scores a corpus for each profile the NAB way: sweep rows per file, one threshold for the whole
 * corpus chosen to maximise the summed raw score, normalised between the null detector (never
 * fires: -fnWeight per window) and the perfect one (+tpWeight per window at its left edge).
 */
export function scoreNabCorpus(
  files: readonly ScoredSeries[],
  labels: CorpusWindows,
  profiles: readonly CostProfile[],
): ProfileResult[] {
  const indexWindows = new Map<string, IndexWindow[]>();
  for (const f of files) {
    const w = labels.get(f.relative);
    if (w === undefined) {
      throw new MissingLabelsError(
        `no windows for ${f.relative} in the windows file (keys look like "realTweets/x.csv")`,
      );
    }
    indexWindows.set(f.relative, windowsToIndices(f.timestamps, w));
  }
  return profiles.map((profile) => {
    const rows: SweepRow[] = [];
    let base = 0;
    for (const f of files) {
      const w = indexWindows.get(f.relative) as IndexWindow[];
      for (const r of sweepRows(f.scores, w, profile, base)) rows.push(r);
      base += w.length;
    }
    const windows = scorableWindowCount(rows);
    const best = bestThreshold(scoresByThreshold(rows, profile));
    const detected = new Set(
      rows.filter((r) => r.window >= 0 && r.anomalyScore >= best.threshold).map((r) => r.window),
    );
    const nullScore = -profile.fnWeight * windows;
    const perfectScore = profile.tpWeight * windows;
    return {
      profile: profile.name,
      weights: { tp: profile.tpWeight, fp: profile.fpWeight, fn: profile.fnWeight },
      threshold: best.threshold,
      rawScore: best.score,
      nullScore,
      perfectScore,
      normalizedScore: windows > 0 ? normalizeScore(best.score, nullScore, perfectScore) : 0,
      windows,
      detectedWindows: detected.size,
      falsePositiveRows: best.fp,
    };
  });
}
