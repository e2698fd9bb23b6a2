import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTfBackend } from '../models/anomaly/tf-backend.js';
import {
  DEFAULT_UNIVARIATE_PARAMS,
  type UnivariateDetectorParams,
} from '../models/anomaly/univariate-detector.js';
import { planDetectJobs } from './detect-jobs.js';
import { createDetectProgress, summarize } from './detect-progress.js';
import { runDetect } from './detect-runner.js';
import { scoreNabCorpus } from './nab-corpus-score.js';
import { NAB_PROFILES } from './nab-profiles.js';
import { coverageNote, NAB_FULL_CORPUS_FILES, type NabSummary, nabMarkdown } from './nab-report.js';
import { loadWindows } from './nab-windows.js';

export const DETECTOR_NAME =
  'LSTM forecaster + dynamic threshold + likelihood, spatial rule, one alert per episode';

export interface NabRunOptions {
  dataDir: string;
  windowsFile: string;
  outDir: string;
  parallel: number;
  params?: UnivariateDetectorParams;
}

/**
 * detect over the corpus (outputs under outDir/results, same relative paths), then NAB scoring
 * from exactly the written scores; nab-summary.json and nab-summary.md under outDir. The markdown
 * goes to stdout on a terminal, a {"event":"nab",...} line otherwise.
 */
export async function runNabBenchmark(options: NabRunOptions): Promise<NabSummary> {
  const labels = loadWindows(options.windowsFile);
  const jobs = planDetectJobs(options.dataDir, join(options.outDir, 'results'));
  const progress = createDetectProgress();
  progress.start(jobs.length);
  const started = performance.now();
  const params = options.params ?? DEFAULT_UNIVARIATE_PARAMS;
  const files = await runDetect(jobs, {
    parallel: options.parallel,
    params,
    onFile: (f, done, total) => progress.file(f, done, total),
  });
  const detect = summarize(
    files,
    (performance.now() - started) / 1000,
    Math.min(options.parallel, jobs.length),
  );
  progress.finish(detect);
  const profiles = scoreNabCorpus(
    files.map((f) => ({ relative: f.relative, timestamps: f.timestamps, scores: f.scores })),
    labels,
    NAB_PROFILES,
  );
  const summary: NabSummary = {
    detector: DETECTOR_NAME,
    dataDir: options.dataDir,
    windowsFile: options.windowsFile,
    files: files.length,
    rows: detect.rows,
    windows: profiles[0]?.windows ?? 0,
    seconds: detect.seconds,
    rowsPerSecond: detect.rowsPerSecond,
    parallel: detect.parallel,
    backend:
      params.engine === 'cpu'
        ? 'cpu (plain arrays)'
        : options.parallel > 1
          ? 'wasm (per worker)'
          : await ensureTfBackend(),
    profiles,
    comparable: files.length === NAB_FULL_CORPUS_FILES,
    note: coverageNote(files.length),
    perFile: files.map((f) => ({
      file: f.relative,
      rows: f.rows,
      seconds: Math.round(f.seconds * 1000) / 1000,
    })),
  };
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'nab-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const markdown = nabMarkdown(summary);
  writeFileSync(join(options.outDir, 'nab-summary.md'), markdown);
  if (process.stdout.isTTY) process.stdout.write(markdown);
  else process.stdout.write(`${JSON.stringify({ event: 'nab', ...summary, perFile: undefined })}\n`);
  return summary;
}
