import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { currentCodeVersion } from '../../models/bundle/code-version.js';
import { selectTfBackend } from '../../models/runtime/tf-backend.js';
import {
  DEFAULT_TRANSFER_OPTIONS,
  runTransferExperiment,
  type TransferReport,
} from '../../quality/transfer-experiment.js';
import { ReplayInputError } from '../../replay/replay-plan.js';
import type { JoinedBar } from '../../shared/contracts/sequence-batch.js';
import { UsageError } from '../usage-error.js';
import {
  createEvaluationLog,
  defaultEvaluateDeps,
  type EvaluateCommandDeps,
  nanToNull,
  parseBackend,
  requireDir,
  resolveBundleDir,
  splitList,
} from './evaluate-command.js';

export interface EvaluateTransferCommandOptions {
  prices: string;
  macro: string;
  /** The champion bundle directory; default: the registry's CURRENT risk bundle. */
  model?: string;
  symbols?: string[];
  historyBars: number;
  epochs: number;
  patience: number;
  seeds: string;
  json: string;
  backend: string;
  seed: number;
}

/** The same dependencies as `evaluate risk`. */
export type EvaluateTransferDeps = EvaluateCommandDeps;

const d = DEFAULT_TRANSFER_OPTIONS;

export function registerEvaluateTransferCommand(evaluate: Command): void {
  evaluate
    .command('transfer')
    .description(
      "fine-tuned vs from-scratch on tickers with a short history: both trained on the last N bars before the champion's test start of tickers it never saw, evaluated walk-forward after it",
    )
    .requiredOption('--prices <dir>', 'directory of daily price CSVs (<SYMBOL>.csv)')
    .requiredOption('--macro <dir>', 'directory of macro CSVs')
    .option('--model <dir>', 'champion bundle directory (default: CURRENT risk bundle of models.registryDir)')
    .option('--symbols <symbols...>', "tickers (default: the champion's held-out tickers)")
    .option(
      '--history-bars <n>',
      'bars per ticker the challengers learn from',
      int('--history-bars'),
      d.historyBars,
    )
    .option(
      '--epochs <n>',
      'epoch budget of each trained arm (early stopping on validation)',
      int('--epochs'),
      d.epochs,
    )
    .option('--patience <n>', 'early-stopping patience', int('--patience'), d.patience)
    .option(
      '--seeds <list>',
      'training seeds, comma separated (one run of each arm per seed)',
      d.seeds.join(','),
    )
    .requiredOption('--json <file>', 'where the report JSON goes')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--seed <n>', 'seed of the random-forest baseline', int('--seed'), 42)
    .action(async (opts: EvaluateTransferCommandOptions) => {
      await runEvaluateTransferCommand(opts, defaultEvaluateDeps());
    });
}

/** `evaluate transfer` without commander and process globals; returns what it wrote to --json. */
export async function runEvaluateTransferCommand(
  opts: EvaluateTransferCommandOptions,
  deps: EvaluateTransferDeps,
): Promise<TransferReport> {
  const backend = parseBackend(opts.backend);
  requireDir('--prices', opts.prices);
  requireDir('--macro', opts.macro);
  const seeds = opts.seeds.split(',').map((v) => {
    const n = Number(v.trim());
    if (!(Number.isInteger(n) && n >= 0))
      throw new UsageError(`--seeds: expected integers >= 0, got ${opts.seeds}`);
    return n;
  });
  const bundleDir = await resolveBundleDir(opts.model, deps.registryDir);
  const log = createEvaluationLog(deps);
  await selectTfBackend(backend);
  let bars: Map<string, JoinedBar[]>;
  try {
    ({ bars } = await deps.loadHistory({
      pricesDir: opts.prices,
      macroDir: opts.macro,
      newsFiles: [],
      symbols: splitList(opts.symbols),
    }));
  } catch (err) {
    if (err instanceof ReplayInputError) throw new UsageError(err.message);
    throw err;
  }
  let report: TransferReport;
  try {
    report = await runTransferExperiment(bars, bundleDir, {
      ...DEFAULT_TRANSFER_OPTIONS,
      ...(opts.symbols ? { symbols: splitList(opts.symbols) as string[] } : {}),
      historyBars: opts.historyBars,
      epochs: opts.epochs,
      patience: opts.patience,
      seeds,
      forestSeed: opts.seed,
      onProgress: (e) => {
        if (e.kind === 'arm')
          log({ kind: 'stage', stage: `arm ${e.arm}`, detail: { seed: e.seed ?? 'none' } });
        else if (e.kind === 'stage') log(e);
      },
      trainingProgress: (e) => {
        if (e.kind === 'epoch') {
          log({
            kind: 'stage',
            stage: 'epoch',
            detail: {
              epoch: e.epoch,
              trainLoss: e.trainLoss.toFixed(4),
              validationLoss: e.validationLoss.toFixed(4),
            },
          });
        }
      },
      code: () => currentCodeVersion(),
    });
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  await mkdir(dirname(resolve(opts.json)), { recursive: true });
  await writeFile(opts.json, `${JSON.stringify(report, nanToNull, 2)}\n`);
  deps.stdout(`${JSON.stringify({ json: opts.json, bundleDir, seconds: report.seconds }, null, 2)}\n`);
  return report;
}

function int(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${flag} must be a positive integer, got ${value}`);
    return n;
  };
}
