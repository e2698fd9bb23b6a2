import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DetectInputError, planDetectJobs } from '../../../services/nab/detect-jobs.js';
import { parseWindows } from '../../../services/nab/nab-windows.js';
import {
  CsvFormatError,
  formatScoredCsv,
  parseTimestamp,
  parseTimestampValueCsv,
} from '../../../services/nab/timestamp-value-csv.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'detect-io-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('timestamp,value CSV', () => {
  it('reads naive timestamps as UTC and keeps the original text', () => {
    const s = parseTimestampValueCsv(
      'timestamp,value\n2015-02-26 21:42:53,104\n2015-02-26 21:47:53,1.5e2\n',
      'x',
    );
    expect(s.timestamps).toEqual([Date.UTC(2015, 1, 26, 21, 42, 53), Date.UTC(2015, 1, 26, 21, 47, 53)]);
    expect(s.values).toEqual([104, 150]);
    expect(formatScoredCsv(s, [0.5, 1 / 3])).toBe(
      'timestamp,value,anomaly_score\n2015-02-26 21:42:53,104,0.5\n2015-02-26 21:47:53,1.5e2,0.333333\n',
    );
  });
  it('parses NAB window timestamps with microseconds', () => {
    expect(parseTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp('2014-04-10T07:15:00Z')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp('yesterday')).toBeNaN();
  });
  it('says which line is wrong and what was expected', () => {
    expect(() => parseTimestampValueCsv('time,val\n', 'f.csv')).toThrow(CsvFormatError);
    expect(() => parseTimestampValueCsv('timestamp,value\n2015-01-01 00:00:00,abc\n', 'f.csv')).toThrow(
      /f.csv line 2: expected a finite number as value, got "abc"/,
    );
    expect(() =>
      parseTimestampValueCsv('timestamp,value\n2015-01-02 00:00:00,1\n2015-01-01 00:00:00,2\n', 'f.csv'),
    ).toThrow(/line 3: timestamps must not go back/);
  });
});

describe('planDetectJobs', () => {
  it('mirrors every csv below a directory at the same relative path', () => {
    const input = tmp();
    mkdirSync(join(input, 'a', 'b'), { recursive: true });
    writeFileSync(join(input, 'top.csv'), 'timestamp,value\n');
    writeFileSync(join(input, 'a', 'b', 'deep.csv'), 'timestamp,value\n');
    writeFileSync(join(input, 'a', 'notes.txt'), 'not data');
    const out = join(tmp(), 'results');
    const jobs = planDetectJobs(input, out);
    expect(jobs.map((j) => j.relative)).toEqual(['a/b/deep.csv', 'top.csv']);
    expect(jobs[0]!.output).toBe(join(out, 'a', 'b', 'deep.csv'));
    expect(jobs[0]!.input).toBe(join(input, 'a', 'b', 'deep.csv'));
  });
  it('maps a file to the output path, or into an existing output directory', () => {
    const d = tmp();
    const f = join(d, 'one.csv');
    writeFileSync(f, 'timestamp,value\n');
    expect(planDetectJobs(f, join(d, 'out.csv'))[0]!.output).toBe(join(d, 'out.csv'));
    const outDir = join(d, 'outdir');
    mkdirSync(outDir);
    expect(planDetectJobs(f, outDir)[0]!.output).toBe(join(outDir, 'one.csv'));
  });
  it('rejects a missing input and an empty directory', () => {
    expect(() => planDetectJobs(join(tmp(), 'nope'), 'x')).toThrow(DetectInputError);
    expect(() => planDetectJobs(tmp(), join(tmp(), 'o'))).toThrow(/no \*.csv files/);
  });
});

describe('parseWindows', () => {
  it('reads NAB windows and rejects malformed ones', () => {
    const w = parseWindows(
      { 'a/x.csv': [['2014-04-10 07:15:00.000000', '2014-04-11 16:45:00.000000']] },
      'w',
    );
    expect(w.get('a/x.csv')).toEqual([[Date.UTC(2014, 3, 10, 7, 15), Date.UTC(2014, 3, 11, 16, 45)]]);
    expect(() => parseWindows({ 'a/x.csv': [['2014-04-11', '2014-04-10']] }, 'w')).toThrow(
      /not a valid time range/,
    );
    expect(() => parseWindows({ 'a/x.csv': 'nope' }, 'w')).toThrow(/expected/);
  });
});
