import { describe, expect, it } from 'vitest';
import { htmOnSameFiles, loadHtmReference } from '../../../services/quality/htm-same-files.js';

describe('htmOnSameFiles', () => {
  const reference = loadHtmReference();
  const files = Object.keys(reference.rawScores.standard ?? {});
  // The 21 shared files hold 39 windows: null = -fnWeight * 39, perfect = tpWeight * 39.
  const profiles = [
    { profile: 'standard', nullScore: -39, perfectScore: 39 },
    { profile: 'reward_low_FP_rate', nullScore: -39, perfectScore: 39 },
    { profile: 'reward_low_FN_rate', nullScore: -78, perfectScore: 39 },
  ];

  it('normalises the published per-file raw scores over the same files', () => {
    expect(files).toHaveLength(21);
    const scores = htmOnSameFiles({ files, profiles }, reference);
    // Raw sums of the copied CSV rows: 13.8792, 9.0734 and 6.8792 (hand-summed from NAB's files).
    expect(scores?.standard).toBeCloseTo((100 * (13.879217401877 + 39)) / 78, 6);
    expect(scores?.reward_low_FP_rate).toBeCloseTo((100 * (9.07338700235 + 39)) / 78, 6);
    expect(scores?.reward_low_FN_rate).toBeCloseTo((100 * (6.879217401885 + 78)) / 117, 6);
  });

  it('gives nothing when a scored file has no HTM score', () => {
    expect(
      htmOnSameFiles({ files: [...files, 'realTraffic/speed_6005.csv'], profiles }, reference),
    ).toBeNull();
    expect(
      htmOnSameFiles({ files, profiles: [{ profile: 'other', nullScore: -1, perfectScore: 1 }] }, reference),
    ).toBeNull();
  });
});
