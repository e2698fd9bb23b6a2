/**
 * Where a NAB run wins and loses: per labelled window its best in-window score and the first
 * detection at the corpus threshold, and per file the false-positive rows grouped into episodes
 * with their distance from the nearest window. Reads the written result CSVs and windows.json.
 *
 *   npx tsx bench/nab-failure-analysis.ts RESULTS_DIR WINDOWS_JSON [THRESHOLD|-] [PREFIX]
 *
 * THRESHOLD (or -) defaults to the standard profile's best threshold (recomputed from the CSVs);
 * PREFIX (e.g. realTweets/) keeps only the files whose relative path starts with it, each profile
 * then with the subset's own best threshold.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scoreNabCorpus } from '../services/nab/nab-corpus-score.js';
import { NAB_PROFILES } from '../services/nab/nab-profiles.js';
import { probationaryLength, windowsToIndices } from '../services/nab/nab-scoring.js';
import { loadWindows } from '../services/nab/nab-windows.js';
import { parseTimestamp } from '../services/nab/timestamp-value-csv.js';

interface ResultFile {
  relative: string;
  timestamps: number[];
  values: number[];
  scores: number[];
}

function listCsv(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listCsv(p));
    else if (name.endsWith('.csv')) out.push(p);
  }
  return out;
}

function readResult(root: string, path: string): ResultFile {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const f: ResultFile = {
    relative: relative(root, path).split('\\').join('/'),
    timestamps: [],
    values: [],
    scores: [],
  };
  for (const line of lines) {
    const [t, v, s] = line.split(',');
    f.timestamps.push(parseTimestamp(t as string));
    f.values.push(Number(v));
    f.scores.push(Number(s));
  }
  return f;
}

const [resultsDir, windowsFile, thresholdText, prefix = ''] = process.argv.slice(2);
const thresholdArg = thresholdText === '-' ? undefined : thresholdText;
if (resultsDir === undefined || windowsFile === undefined) {
  process.stderr.write('usage: nab-failure-analysis.ts RESULTS_DIR WINDOWS_JSON [THRESHOLD|-] [PREFIX]\n');
  process.exit(2);
}
const labels = loadWindows(windowsFile);
const files = listCsv(resultsDir)
  .map((p) => readResult(resultsDir, p))
  .filter((f) => f.relative.startsWith(prefix));
const profiles = scoreNabCorpus(files, labels, NAB_PROFILES);
const threshold = thresholdArg !== undefined ? Number(thresholdArg) : (profiles[0]?.threshold ?? 0.5);
process.stdout.write(`threshold ${threshold.toFixed(4)}\n`);
for (const p of profiles) {
  process.stdout.write(
    `${p.profile}: ${p.normalizedScore.toFixed(1)} (thr ${p.threshold.toFixed(4)}, ${p.detectedWindows}/${p.windows}, ${p.falsePositiveRows} FP rows)\n`,
  );
}

process.stdout.write(
  '\nwindows: file#k rows width | max in window @offset/width | first det @offset | max in width before | value: window max vs max before\n',
);
for (const f of files) {
  const windows = windowsToIndices(f.timestamps, labels.get(f.relative) ?? []);
  const n = f.scores.length;
  const probation = probationaryLength(n);
  windows.forEach((w, k) => {
    const width = w.end - w.start + 1;
    let best = -1;
    let bestAt = -1;
    let first = -1;
    for (let i = w.start; i <= w.end; i++) {
      const s = f.scores[i] as number;
      if (s > best) {
        best = s;
        bestAt = i;
      }
      if (first < 0 && s >= threshold && i >= probation) first = i;
    }
    let before = 0;
    for (let i = Math.max(probation, w.start - width); i < w.start; i++)
      before = Math.max(before, f.scores[i] as number);
    let priorMax = Number.NEGATIVE_INFINITY;
    let priorMin = Number.POSITIVE_INFINITY;
    for (let i = 0; i < w.start; i++) {
      priorMax = Math.max(priorMax, f.values[i] as number);
      priorMin = Math.min(priorMin, f.values[i] as number);
    }
    let winMax = Number.NEGATIVE_INFINITY;
    let winMin = Number.POSITIVE_INFINITY;
    for (let i = w.start; i <= w.end; i++) {
      winMax = Math.max(winMax, f.values[i] as number);
      winMin = Math.min(winMin, f.values[i] as number);
    }
    process.stdout.write(
      `${f.relative}#${k} ${w.start}-${w.end} ${width}${w.start < probation ? ' (in probation)' : ''} | ${best.toFixed(3)} @${bestAt - w.start} | ${first >= 0 ? `DET @${first - w.start}` : 'MISS'} | ${before.toFixed(3)} | win [${winMin}, ${winMax}] vs before [${priorMin}, ${priorMax}]\n`,
    );
  });
}

process.stdout.write('\nfalse positives: file | rows | episodes (first row, rows, max score, position)\n');
for (const f of files) {
  const windows = windowsToIndices(f.timestamps, labels.get(f.relative) ?? []);
  const probation = probationaryLength(f.scores.length);
  const inWindow = (i: number) => windows.some((w) => i >= w.start && i <= w.end);
  const episodes: { from: number; rows: number; max: number }[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (let i = probation; i < f.scores.length; i++) {
    const s = f.scores[i] as number;
    if (s < threshold || inWindow(i)) continue;
    const ep = episodes.at(-1);
    if (ep !== undefined && i - last <= 50) {
      ep.rows++;
      ep.max = Math.max(ep.max, s);
    } else episodes.push({ from: i, rows: 1, max: s });
    last = i;
  }
  if (episodes.length === 0) continue;
  const rows = episodes.reduce((a, e) => a + e.rows, 0);
  const desc = episodes.map((e) => {
    const prev = windows.filter((w) => w.end < e.from).at(-1);
    const next = windows.find((w) => w.start > e.from);
    const pos = [
      prev ? `+${e.from - prev.end} after w (width ${prev.end - prev.start + 1})` : 'before any window',
      next ? `${next.start - e.from} before next` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `  ${e.from} x${e.rows} max ${e.max.toFixed(3)} [${pos}]`;
  });
  process.stdout.write(`${f.relative} | ${rows}\n${desc.join('\n')}\n`);
}
