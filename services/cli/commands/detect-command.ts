import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import {
  DEFAULT_UNIVARIATE_PARAMS,
  type UnivariateDetectorParams,
} from '../../models/anomaly/univariate-detector.js';
import { planDetectJobs } from '../../nab/detect-jobs.js';
import { createDetectProgress, summarize } from '../../nab/detect-progress.js';
import { runDetect } from '../../nab/detect-runner.js';
import { isInputError } from '../../nab/input-errors.js';
import { UsageError } from '../usage-error.js';

export function parseParallel(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--jobs: expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return n;
}

const ENGINES: readonly UnivariateDetectorParams['engine'][] = ['cpu', 'tfjs'];

/** The detector configuration with the forecaster engine of --engine (the only choice offered). */
export function parseEngine(value: string): UnivariateDetectorParams {
  const engine = ENGINES.find((e) => e === value);
  if (engine === undefined)
    throw new UsageError(`--engine: expected one of ${ENGINES.join(', ')}, got ${JSON.stringify(value)}`);
  return { ...DEFAULT_UNIVARIATE_PARAMS, engine };
}

export const ENGINE_HELP =
  'forecaster engine: cpu (plain arrays, fast) or tfjs (the reference; same scores to float32 rounding)';

/**
 * `risk-monitor detect`: online anomaly scores (the anomaly model's LSTM forecaster, error
 * normalisation, smoothing, dynamic threshold and likelihood, configured for one value stream)
 * for a timestamp,value CSV or every *.csv below a directory. Each file gets a fresh detector.
 */
export function registerDetectCommand(program: Command): void {
  program
    .command('detect')
    .description(
      'online anomaly scores for timestamp,value CSV files (a file, or every *.csv below a directory)',
    )
    .requiredOption('-i, --input <path>', 'a CSV file with columns timestamp,value, or a directory of them')
    .requiredOption(
      '-o, --output <path>',
      'output CSV (timestamp,value,anomaly_score) or directory (same relative paths)',
    )
    .option('-j, --jobs <n>', 'files scored in parallel', String(availableParallelism()))
    .option('--engine <name>', ENGINE_HELP, DEFAULT_UNIVARIATE_PARAMS.engine)
    .action(async (opts: { input: string; output: string; jobs: string; engine: string }) => {
      const parallel = parseParallel(opts.jobs);
      const params = parseEngine(opts.engine);
      try {
        const jobs = planDetectJobs(opts.input, opts.output);
        const progress = createDetectProgress();
        progress.start(jobs.length);
        const started = performance.now();
        const files = await runDetect(jobs, {
          parallel,
          params,
          onFile: (f, done, total) => progress.file(f, done, total),
        });
        progress.finish(
          summarize(files, (performance.now() - started) / 1000, Math.min(parallel, jobs.length)),
        );
      } catch (err) {
        if (isInputError(err)) throw new UsageError(err.message);
        throw err;
      }
    });
}
