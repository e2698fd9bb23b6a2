import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../services/models/evaluation/ranking-metrics.js';
import { compareAucs } from '../../../services/quality/block-bootstrap.js';
import { stratifiedRocAuc } from '../../../services/quality/stratified-auc.js';

describe('stratifiedRocAuc', () => {
  // Stratum 0 ranks perfectly at a low level, stratum 1 perfectly at a high level; ranked together,
  // stratum 1's negatives outrank stratum 0's positive.
  const scores = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
  const labels = [0, 0, 1, 0, 0, 1];
  const strata = [0, 0, 0, 1, 1, 1];

  it('counts only pairs within a stratum', () => {
    expect(stratifiedRocAuc(scores, labels, strata)).toBe(1);
    // Pooled: the positive at 0.3 is below both negatives at 0.7 and 0.8: 6 of 8 pairs right.
    expect(rocAuc(scores, labels)).toBeCloseTo(6 / 8, 12);
  });

  it('weights strata by their positive x negative pairs and skips one-class strata', () => {
    // Stratum 0: 1 positive x 2 negatives, AUC 0.5 (0.2 < 0.3 ... arranged as 1 of 2 pairs);
    // stratum 1: 2 x 1, AUC 1; stratum 2 has no negative.
    const s = [0.1, 0.3, 0.5, 0.6, 0.9, 0.8, 0.4];
    const y = [0, 1, 0, 0, 1, 1, 1];
    const st = [0, 0, 0, 1, 1, 1, 2];
    expect(stratifiedRocAuc(s, y, st)).toBeCloseTo((0.5 * 2 + 1 * 2) / 4, 12);
    expect(Number.isNaN(stratifiedRocAuc([0.1, 0.2], [1, 1], [0, 0]))).toBe(true);
    expect(() => stratifiedRocAuc([0.1], [1, 0], [0, 0])).toThrow(/one entry per sample/);
  });

  it('is what compareAucs reports with strata', () => {
    const result = compareAucs(
      { model: scores, other: scores.map((x) => 1 - x) },
      labels,
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      {
        blockBars: 3,
        resamples: 20,
        strata,
      },
    );
    expect(result.scorers.model?.rocAuc).toBe(1);
    expect(result.scorers.other?.rocAuc).toBe(0);
    expect(result.differences.other?.rocAuc).toBe(1);
  });
});
