import { describe, expect, it } from 'vitest';
import { scoreNabCorpus } from '../../../services/nab/nab-corpus-score.js';
import { NAB_PROFILES } from '../../../services/nab/nab-profiles.js';
import {
  bestThreshold,
  normalizeScore,
  probationaryLength,
  scaledSigmoid,
  scoresByThreshold,
  sweepRows,
  windowsToIndices,
} from '../../../services/nab/nab-scoring.js';

const standard = NAB_PROFILES[0]!;
const lowFn = NAB_PROFILES[2]!;

describe('scaledSigmoid', () => {
  it('is ~0.9866 at the left edge, 0 at the right edge and -1 from 3 windows on', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866142981514305, 12);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.8482836399575131, 12);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.9866142981514305, 12);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(scaledSigmoid(10)).toBe(-1);
  });
});

describe('probationaryLength', () => {
  it('is 15% of the rows, at most 750', () => {
    expect(probationaryLength(20)).toBe(3);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(15902)).toBe(750);
  });
});

// 20 rows: probation 3 rows, one window on rows 8..11 (width 4).
const windows = [{ start: 8, end: 11 }];
const scores = Array.from({ length: 20 }, () => 0);
scores[1] = 1; // inside the probationary period: never counts
scores[5] = 0.6; // FP before any window
scores[9] = 0.9; // in the window, 2nd row
scores[10] = 0.8; // in the window, later: must not add anything
scores[13] = 0.7; // FP 2 rows after the window

describe('sweepRows', () => {
  const rows = sweepRows(scores, windows, standard, 0);
  it('drops the probationary rows', () => {
    expect(rows).toHaveLength(17);
    expect(rows.some((r) => r.anomalyScore === 1)).toBe(false);
  });
  it('weights window rows by the scaled sigmoid of their position, 1 at the left edge', () => {
    const inWindow = rows.filter((r) => r.window === 0).map((r) => r.sweepScore);
    expect(inWindow[0]).toBeCloseTo(1, 12);
    expect(inWindow[1]).toBeCloseTo(0.9669890878000605, 12);
    expect(inWindow[2]).toBeCloseTo(0.8597925669097837, 12);
    expect(inWindow[3]).toBeCloseTo(0.5621241486044827, 12);
  });
  it('charges -fpWeight before the first window and the sigmoid of the distance after it', () => {
    expect(rows[5 - 3]!.sweepScore).toBeCloseTo(-0.11, 12);
    expect(rows[12 - 3]!.sweepScore).toBeCloseTo(-0.07504879692619866, 12);
    expect(rows[13 - 3]!.sweepScore).toBeCloseTo(-0.10242205695343354, 12);
  });
});

describe('scoresByThreshold', () => {
  const table = scoresByThreshold(sweepRows(scores, windows, standard, 0), standard);
  const at = (t: number) => table.find((s) => s.threshold === t)!;
  it('starts with every window missed', () => {
    expect(table[0]).toMatchObject({ threshold: 1.1, score: -1, tp: 0, fp: 0 });
  });
  it('counts only the earliest detection in a window', () => {
    expect(at(0.9).score).toBeCloseTo(0.9669890878000605, 12);
    expect(at(0.8).score).toBeCloseTo(0.9669890878000605, 12);
    expect(at(0.8).tp).toBe(2);
  });
  it('adds false positives by their weighted distance', () => {
    expect(at(0.7).score).toBeCloseTo(0.864567030846627, 12);
    expect(at(0.6).score).toBeCloseTo(0.754567030846627, 12);
    expect(at(0).score).toBeCloseTo(-0.38565370420933354, 12);
    expect(at(0)).toMatchObject({ tp: 4, fp: 13, fn: 0, tn: 0 });
  });
  it('picks the threshold with the best score', () => {
    expect(bestThreshold(table).threshold).toBe(0.9);
  });
  it('uses the profile weights: a miss costs 2 under reward_low_FN_rate', () => {
    const t = scoresByThreshold(sweepRows(scores, windows, lowFn, 0), lowFn);
    expect(t[0]!.score).toBe(-2);
  });
});

describe('normalizeScore', () => {
  it('maps null to 0 and perfect to 100', () => {
    expect(normalizeScore(-1, -1, 1)).toBe(0);
    expect(normalizeScore(1, -1, 1)).toBe(100);
    expect(normalizeScore(0.9669890878000605, -1, 1)).toBeCloseTo(98.34945439000302, 10);
  });
});

describe('windowsToIndices', () => {
  it('maps time windows to the rows inside them', () => {
    const ts = [0, 10, 20, 30, 40, 50];
    expect(windowsToIndices(ts, [[15, 40]])).toEqual([{ start: 2, end: 4 }]);
    expect(windowsToIndices(ts, [[11, 19]])).toEqual([]);
  });
});

describe('scoreNabCorpus', () => {
  const timestamps = Array.from({ length: 20 }, (_, i) => i * 1000);
  const labels = new Map<string, Array<[number, number]>>([
    ['a/one.csv', [[8000, 11000]]],
    ['a/none.csv', []],
  ]);
  it('chooses one threshold for the corpus and normalises against null and perfect', () => {
    const quiet = Array.from({ length: 20 }, () => 0);
    quiet[15] = 0.95; // an FP in the file without windows, above the best threshold of the other file
    const [result] = scoreNabCorpus(
      [
        { relative: 'a/one.csv', timestamps, scores },
        { relative: 'a/none.csv', timestamps, scores: quiet },
      ],
      labels,
      [standard],
    );
    // threshold 0.95 costs 0.11 and misses the window; 0.9 detects it and pays the same FP.
    expect(result!.threshold).toBe(0.9);
    expect(result!.rawScore).toBeCloseTo(0.9669890878000605 - 0.11, 12);
    expect(result!.nullScore).toBe(-1);
    expect(result!.perfectScore).toBe(1);
    expect(result!.normalizedScore).toBeCloseTo((100 * (0.9669890878000605 - 0.11 + 1)) / 2, 10);
    expect(result!.detectedWindows).toBe(1);
    expect(result!.falsePositiveRows).toBe(1);
  });
  it('refuses files without labels', () => {
    expect(() => scoreNabCorpus([{ relative: 'b/x.csv', timestamps, scores }], labels, [standard])).toThrow(
      /no windows for b\/x.csv/,
    );
  });
});
