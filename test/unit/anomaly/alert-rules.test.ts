import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlertDeduplicator } from '../../../services/models/anomaly/alert-deduplication.js';
import { parseAnomalyBundleContent } from '../../../services/models/anomaly/anomaly-bundle.js';
import {
  AnomalyLikelihood,
  logLikelihoodScore,
} from '../../../services/models/anomaly/anomaly-likelihood.js';
import { AnomalyScorer } from '../../../services/models/anomaly/anomaly-scorer.js';
import { AnomalyTracker, DEFAULT_TRACKER_PARAMS } from '../../../services/models/anomaly/anomaly-tracker.js';
import { SpatialRange } from '../../../services/models/anomaly/spatial-anomaly.js';
import { bar, MINUTE, sequenceBatch } from './anomaly-fixtures.js';

describe('SpatialRange (HTM spatial anomaly rule)', () => {
  it('flags a value beyond the range so far by more than the tolerance of the range', () => {
    const r = new SpatialRange(1, 0.05);
    expect(r.update([10])).toBe(false); // nothing seen yet
    expect(r.update([20])).toBe(false); // range was the single value 10
    // range [10, 20], pad 0.5: 20.5 is not beyond 20.5
    expect(r.update([20.5])).toBe(false);
    // range [10, 20.5], pad 0.525: upper limit 21.025
    expect(r.update([21])).toBe(false);
    // range [10, 21], pad 0.55: upper limit 21.55
    expect(r.update([21.6])).toBe(true);
    // range [10, 21.6], pad 0.58: lower limit 9.42
    expect(r.update([9.43])).toBe(false);
    // range [9.43, 21.6], pad 0.6085: lower limit 8.8215
    expect(r.update([8.82])).toBe(true);
    expect(r.update([Number.NaN])).toBe(false);
  });

  it('flags a row when any feature is outside its own range, and starts afresh after reset', () => {
    const r = new SpatialRange(2, 0.1);
    r.update([0, 100]);
    r.update([1, 200]);
    expect(r.update([0.5, 150])).toBe(false);
    expect(r.update([0.5, 211])).toBe(true); // limit 200 + 10
    expect(r.update([1.2, 150])).toBe(true); // limit 1 + 0.1
    r.reset();
    expect(r.update([1000, -1000])).toBe(false);
  });

  it('never flags a constant series', () => {
    const r = new SpatialRange(1, 0.05);
    for (let i = 0; i < 20; i++) expect(r.update([3])).toBe(false);
  });
});

describe('AlertDeduplicator', () => {
  it('reports an episode once and only its new peaks, for `rows` rows after the last peak', () => {
    const d = new AlertDeduplicator({ level: 0.5, rows: 3 });
    const out = [0.2, 0.6, 0.55, 0.7, 0.7, 0.1, 0.3, 0.6, 0.4].map((s) => d.filter(s));
    // 0.6 starts the episode; 0.55 is a repeat; 0.7 is a new peak (restarts it); 0.7, 0.1, 0.3
    // are the 3 rows after it; 0.6 is the first row after the episode (a new one); 0.4 a repeat.
    expect(out).toEqual([0.2, 0.6, 0, 0.7, 0, 0, 0, 0.6, 0]);
  });

  it('lets every score below the level through when no episode is open, and resets', () => {
    const d = new AlertDeduplicator({ level: 0.9, rows: 10 });
    expect([0.1, 0.8, 0.5].map((s) => d.filter(s))).toEqual([0.1, 0.8, 0.5]);
    expect(d.filter(0.95)).toBe(0.95);
    expect(d.filter(0.5)).toBe(0);
    d.reset();
    expect(d.filter(0.5)).toBe(0.5);
  });

  it('never hides the first crossing of a threshold at or above the level', () => {
    let s = 11;
    const scores = Array.from({ length: 500 }, () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647;
    });
    const d = new AlertDeduplicator({ level: 0.5, rows: 20 });
    const out = scores.map((x) => d.filter(x));
    for (const t of [0.5, 0.7, 0.9, 0.99]) {
      expect(out.findIndex((x) => x >= t)).toBe(scores.findIndex((x) => x >= t));
    }
    expect(out.filter((x) => x >= 0.5).length).toBeLessThan(scores.filter((x) => x >= 0.5).length / 3);
  });

  it('rejects a level outside (0, 1] and a row count below 1', () => {
    expect(() => new AlertDeduplicator({ level: 0, rows: 5 })).toThrow(/level/);
    expect(() => new AlertDeduplicator({ level: 0.5, rows: 0 })).toThrow(/rows/);
  });
});

describe('AnomalyTracker with the alert rules', () => {
  const errorsOf = (n: number) => Array.from({ length: n }, (_, i) => 0.1 + 0.05 * Math.sin(i));

  it('is unchanged by the values when both rules are off (the default)', () => {
    const a = new AnomalyTracker(1);
    const b = new AnomalyTracker(1);
    for (const [i, e] of errorsOf(300).entries()) {
      const p = a.update([e]);
      const q = b.update([e], [i * 1000]);
      expect(q.score).toBe(p.score);
      expect(q.spatialAnomaly).toBe(false);
      expect(q.suppressed).toBe(false);
      expect(q.score).toBe(q.blendedScore);
    }
  });

  it('scores 1 for a value outside the range seen so far, keeping the blended score', () => {
    const t = new AnomalyTracker(1, { ...DEFAULT_TRACKER_PARAMS, spatialTolerance: 0.05 });
    t.update([0.1], [10]);
    t.update([0.1], [20]);
    const inside = t.update([0.1], [15]);
    expect(inside.spatialAnomaly).toBe(false);
    expect(inside.score).toBe(inside.blendedScore);
    const outside = t.update([0.1], [25]);
    expect(outside.spatialAnomaly).toBe(true);
    expect(outside.score).toBe(1);
    expect(outside.blendedScore).toBeLessThan(1);
    expect(() => t.update([0.1])).toThrow(/needs the row values/);
  });

  it('reports a spatial anomaly once per episode when deduplication is on', () => {
    const t = new AnomalyTracker(1, {
      ...DEFAULT_TRACKER_PARAMS,
      spatialTolerance: 0.05,
      deduplication: { level: 0.5, rows: 2 },
    });
    t.update([0.1], [0]);
    t.update([0.1], [10]);
    const out = [20, 40, 80, 160].map((v) => t.update([0.1], [v]));
    expect(out.map((p) => p.spatialAnomaly)).toEqual([true, true, true, true]);
    // 1 at 20; 40 and 80 are repeats within 2 rows; 160 opens a new episode.
    expect(out.map((p) => p.score)).toEqual([1, 0, 0, 1]);
    expect(out.map((p) => p.suppressed)).toEqual([false, true, true, false]);
  });

  it('applies the deduplication to the blended score', () => {
    const params = { ...DEFAULT_TRACKER_PARAMS, deduplication: { level: 0.5, rows: 100 } };
    const t = new AnomalyTracker(1, params);
    const plain = new AnomalyTracker(1);
    const d = new AlertDeduplicator(params.deduplication);
    const errors = errorsOf(600).map((e, i) => (i >= 450 && i < 480 ? 3 : e));
    let suppressed = 0;
    for (const e of errors) {
      const p = t.update([e]);
      const q = plain.update([e]);
      expect(p.blendedScore).toBe(q.score);
      expect(p.score).toBe(d.filter(q.score));
      if (p.suppressed) suppressed++;
    }
    expect(suppressed).toBeGreaterThan(0);
  });
});

describe('AnomalyTracker likelihoodInputCap', () => {
  it('feeds the likelihood the combined error capped, and nothing else', () => {
    const small = {
      ...DEFAULT_TRACKER_PARAMS,
      likelihood: { ...DEFAULT_TRACKER_PARAMS.likelihood, learningPeriod: 5, estimationSamples: 20 },
    };
    const capped = new AnomalyTracker(1, { ...small, likelihoodInputCap: 2 });
    const plain = new AnomalyTracker(1, small);
    const reference = new AnomalyLikelihood(small.likelihood);
    let differs = false;
    for (let i = 0; i < 200; i++) {
      const e = i % 37 === 36 ? 5 : 0.1 + 0.02 * ((i * 7) % 5);
      const p = capped.update([e]);
      const q = plain.update([e]);
      expect(p.combinedError).toBe(q.combinedError);
      expect(p.thresholdScore).toBe(q.thresholdScore);
      expect(p.likelihoodScore).toBe(logLikelihoodScore(reference.update(Math.min(p.combinedError, 2))));
      if (p.likelihoodScore !== q.likelihoodScore) differs = true;
    }
    expect(differs).toBe(true);
  });
});

describe('bundles and the scorer with the alert rules', () => {
  const committed = 'deploy/models/registry/anomaly/anomaly-20261202-065611-0ece386/anomaly-bundle.json';

  it('loads a committed bundle that predates the rules with both off', () => {
    const content = parseAnomalyBundleContent(JSON.parse(readFileSync(committed, 'utf8')), committed);
    expect(content.tracker.spatialTolerance).toBeUndefined();
    expect(content.tracker.deduplication).toBeUndefined();
    expect(content.tracker.likelihoodInputCap).toBeUndefined();
  });

  it('keeps the rules when a bundle has them and rejects invalid ones', () => {
    const json = JSON.parse(readFileSync(committed, 'utf8'));
    json.tracker.spatialTolerance = 0.05;
    json.tracker.deduplication = { level: 0.5, rows: 100 };
    json.tracker.likelihoodInputCap = 5;
    const content = parseAnomalyBundleContent(json, 'x');
    expect(content.tracker.spatialTolerance).toBe(0.05);
    expect(content.tracker.deduplication).toEqual({ level: 0.5, rows: 100 });
    expect(content.tracker.likelihoodInputCap).toBe(5);
    json.tracker.deduplication = { level: 0.5, rows: 0 };
    expect(() => parseAnomalyBundleContent(json, 'x')).toThrow(/tracker\.deduplication\.rows/);
  });

  it('passes the bars actual scaled targets to the spatial rule', () => {
    const scorer = new AnomalyScorer({
      marketFeatures: ['logReturn'],
      targetFeatures: ['logReturn'],
      tracker: { ...DEFAULT_TRACKER_PARAMS, spatialTolerance: 0.05 },
    });
    const T0 = 1_700_000_000_000;
    const verdicts = [0, 0, 1, 0.5, 3].map((v, i) => {
      const batch = sequenceBatch(Float32Array.from([0, v]), 2, 1, [
        bar('AAA', T0 + i * MINUTE, { logReturn: 0.01, hlRange: 0.02 }),
      ]);
      return scorer.score(batch, Float32Array.from([v]))[0]!;
    });
    // The first window (not ready) still puts its 0 in the range; then 0, 1, 0.5; 3 is beyond 1.05.
    expect(verdicts.map((v) => v.score === 1)).toEqual([false, false, false, false, true]);
  });
});
