import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_UNIVARIATE_PARAMS } from '../../models/anomaly/univariate-detector.js';
import { isInputError } from '../../nab/input-errors.js';
import { runNabBenchmark } from '../../nab/nab-benchmark.js';
import { UsageError } from '../usage-error.js';
import { ENGINE_HELP, parseEngine, parseParallel } from './detect-command.js';

/**
 * `risk-monitor nab`: runs `detect` over a NAB-layout corpus and scores it with NAB's rules for the
 * three profiles; writes the detector outputs, nab-summary.json and nab-summary.md under --out.
 */
export function registerNabCommand(program: Command): void {
  program
    .command('nab')
    .description('score the online detector on a NAB-layout corpus (standard, reward_low_FP, reward_low_FN)')
    .requiredOption('-d, --data <dir>', 'NAB data directory (<category>/<file>.csv)')
    .requiredOption('-w, --windows <file>', 'NAB windows JSON (labels/combined_windows.json layout)')
    .option('-o, --out <dir>', 'where detector outputs and the summary go', '.run/nab')
    .option('-j, --jobs <n>', 'files scored in parallel', String(availableParallelism()))
    .option('--engine <name>', ENGINE_HELP, DEFAULT_UNIVARIATE_PARAMS.engine)
    .action(async (opts: { data: string; windows: string; out: string; jobs: string; engine: string }) => {
      const parallel = parseParallel(opts.jobs);
      const params = parseEngine(opts.engine);
      try {
        await runNabBenchmark({
          dataDir: opts.data,
          windowsFile: opts.windows,
          outDir: opts.out,
          parallel,
          params,
        });
      } catch (err) {
        if (isInputError(err)) throw new UsageError(err.message);
        throw err;
      }
    });
}
