import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
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
    .action(async (opts: { input: string; output: string; jobs: string }) => {
      const parallel = parseParallel(opts.jobs);
      try {
        const jobs = planDetectJobs(opts.input, opts.output);
        const progress = createDetectProgress();
        progress.start(jobs.length);
        const started = performance.now();
        const files = await runDetect(jobs, {
          parallel,
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
