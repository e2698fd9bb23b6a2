import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRACKER_PARAMS } from '../../../services/models/anomaly/anomaly-tracker.js';
import { DEFAULT_UNIVARIATE_PARAMS } from '../../../services/models/anomaly/univariate-detector.js';
import { planDetectJobs } from '../../../services/nab/detect-jobs.js';
import { runDetect } from '../../../services/nab/detect-runner.js';

const root = mkdtempSync(join(tmpdir(), 'run-detect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = {
  ...DEFAULT_UNIVARIATE_PARAMS,
  seqLen: 4,
  units: 3,
  firstFitAt: 30,
  refitEvery: 40,
  maxFitSamples: 32,
  initialEpochs: 1,
  refitEpochs: 1,
  predictChunk: 8,
  tracker: {
    ...DEFAULT_TRACKER_PARAMS,
    threshold: { ...DEFAULT_TRACKER_PARAMS.threshold, windowSize: 40, minWindow: 10, errorBuffer: 3 },
  },
};

function csv(rows: number, phase: number): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2015, 0, 1, 0, 5 * i)).toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`${t},${(10 + Math.sin(i / 4 + phase)).toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('runDetect', () => {
  it('writes timestamp,value,anomaly_score for every input row at the same relative path', async () => {
    const input = join(root, 'in');
    mkdirSync(join(input, 'cat'), { recursive: true });
    writeFileSync(join(input, 'cat', 'a.csv'), csv(60, 0));
    writeFileSync(join(input, 'b.csv'), csv(45, 1));
    const jobs = planDetectJobs(input, join(root, 'out'));
    const seen: string[] = [];
    const files = await runDetect(jobs, { parallel: 1, params: tiny, onFile: (f) => seen.push(f.relative) });
    expect(files.map((f) => f.relative)).toEqual(['b.csv', 'cat/a.csv']);
    expect(seen).toEqual(['b.csv', 'cat/a.csv']);
    const out = readFileSync(join(root, 'out', 'cat', 'a.csv'), 'utf8')
      .trim()
      .split('\n');
    const src = readFileSync(join(input, 'cat', 'a.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(out).toHaveLength(src.length);
    for (let i = 1; i < out.length; i++) {
      const [t, v, s] = out[i]!.split(',');
      expect(`${t},${v}`).toBe(src[i]);
      expect(Number(s)).toBeGreaterThanOrEqual(0);
      expect(Number(s)).toBeLessThanOrEqual(1);
    }
    expect(files[1]!.scores).toHaveLength(60);
  });
});
