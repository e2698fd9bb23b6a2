import type { Command } from 'commander';
import { saveAnomalyBundle } from '../../models/anomaly/anomaly-bundle.js';
import { DEFAULT_ANOMALY_TRAINING, trainAnomalyModel } from '../../models/anomaly/anomaly-training.js';
import type { BundleMetadata } from '../../models/bundle/bundle-schemas.js';
import { type CodeVersion, currentCodeVersion } from '../../models/bundle/code-version.js';
import { modelVersionName } from '../../models/bundle/version-name.js';
import { ModelRegistry } from '../../models/registry/model-registry.js';
import {
  MARKET_SCALING_MODES,
  type MarketScalingMode,
  marketDivideBy,
} from '../../models/risk/market-scaling.js';
import { riskBundleMetadata, saveRiskBundle } from '../../models/risk/risk-bundle.js';
import { buildRiskDataset, type SplitSpec } from '../../models/risk/risk-dataset.js';
import { DEFAULT_RISK_LABEL_PARAMS } from '../../models/risk/risk-labels.js';
import { DEFAULT_RISK_TRAINING_OPTIONS, trainRiskModel } from '../../models/risk/risk-training.js';
import { type BackendPreference, selectTfBackend } from '../../models/runtime/tf-backend.js';
import { createProgressReporter } from '../../models/training/progress-reporter.js';
import { loadTrainingData, type TrainingData, type TrainingDataOptions } from '../../models/training-data.js';
import { UsageError } from '../usage-error.js';

export interface TrainCommandOptions {
  prices: string;
  macro: string;
  news?: string[];
  out: string;
  epochs: number;
  seed: number;
  symbols?: string[];
  holdoutSymbols?: string[];
  seqLen: number;
  horizon: number;
  k: number;
  lstmUnits: number;
  batchSize: number;
  patience: number;
  validationStart?: string;
  testStart?: string;
  backend: BackendPreference;
  promote: boolean;
  /** Epochs of the anomaly forecaster, trained in the same run with the risk model's scaler. */
  anomalyEpochs: number;
  anomalyUnits: number;
  /** How the risk model's market inputs are scaled (market-scaling.ts). */
  marketScaling: MarketScalingMode;
}

export interface TrainCommandDeps {
  /** Where the joined bars come from; the CLI reads CSVs, tests pass their own. */
  loadData: (options: TrainingDataOptions) => Promise<TrainingData>;
  now: () => Date;
  code: () => CodeVersion;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  tty: boolean;
}

export interface TrainCommandResult {
  version: string;
  bundleDir: string;
  promoted: boolean;
  metrics: BundleMetadata['metrics'];
  anomaly: { version: string; bundleDir: string; promoted: boolean };
}

const defaults = DEFAULT_RISK_TRAINING_OPTIONS;
/** Chosen on the validation period (services/quality/risk-variants.ts, docs/quality.md). */
export const DEFAULT_MARKET_SCALING: MarketScalingMode = 'raw';

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train the risk model on historical data and publish a bundle to the model registry')
    .requiredOption('--prices <dir>', 'directory of daily price CSVs (<SYMBOL>.csv)')
    .requiredOption(
      '--macro <dir>',
      'directory of macro CSVs (vix-daily, cpi-us-monthly, sp500-shiller-monthly)',
    )
    .option(
      '--news <files...>',
      'labelled tweet CSVs (text,label); they carry no timestamps, the replay assigns synthetic ones',
    )
    .requiredOption('--out <dir>', 'model registry root; the bundle goes to <dir>/risk/<version>/')
    .option(
      '--epochs <n>',
      'maximum epochs (early stopping may end sooner)',
      int('--epochs'),
      defaults.epochs,
    )
    .option('--seed <n>', 'seed for initializers, dropout and shuffling', int('--seed'), defaults.seed)
    .option('--symbols <symbols...>', 'train on these symbols only (space or comma separated)')
    .option('--holdout-symbols <symbols...>', 'keep these symbols out of training; evaluate on them')
    .option('--seq-len <n>', 'L: bars per input sequence (the windowing default)', int('--seq-len'), 32)
    .option('--horizon <n>', 'H: label horizon in bars', int('--horizon'), DEFAULT_RISK_LABEL_PARAMS.horizon)
    .option('--k <x>', 'event threshold in sigma * sqrt(H)', num('--k'), DEFAULT_RISK_LABEL_PARAMS.k)
    .option('--lstm-units <n>', 'LSTM units', int('--lstm-units'), defaults.lstmUnits)
    .option('--batch-size <n>', 'training batch size', int('--batch-size'), defaults.batchSize)
    .option('--patience <n>', 'early-stopping patience in epochs', int('--patience'), defaults.patience)
    .option(
      '--validation-start <date>',
      'first bar date of the validation split (default: 70% of the bar dates)',
    )
    .option('--test-start <date>', 'first bar date of the test split (default: 85% of the bar dates)')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option(
      '--anomaly-epochs <n>',
      'epochs of the anomaly forecaster',
      int('--anomaly-epochs'),
      DEFAULT_ANOMALY_TRAINING.epochs,
    )
    .option(
      '--anomaly-units <n>',
      'LSTM units of the anomaly forecaster',
      int('--anomaly-units'),
      DEFAULT_ANOMALY_TRAINING.units,
    )
    .option(
      '--market-scaling <mode>',
      `market inputs: ${MARKET_SCALING_MODES.join(' | ')} (vol-relative: return and range in units of the bar's EWMA volatility)`,
      DEFAULT_MARKET_SCALING,
    )
    .option('--promote', 'make the new versions current (the first version always is)', false)
    .action(async (opts: TrainCommandOptions) => {
      await runTrainCommand(opts, {
        loadData: loadTrainingData,
        now: () => new Date(),
        code: () => currentCodeVersion(),
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        tty: process.stderr.isTTY === true,
      });
    });
}

/** The train command without commander and process globals. */
export async function runTrainCommand(
  opts: TrainCommandOptions,
  deps: TrainCommandDeps,
): Promise<TrainCommandResult> {
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(opts.backend)) {
    throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got ${opts.backend}`);
  }
  if (!(MARKET_SCALING_MODES as readonly string[]).includes(opts.marketScaling)) {
    throw new UsageError(
      `--market-scaling must be ${MARKET_SCALING_MODES.join(' or ')}, got ${opts.marketScaling}`,
    );
  }
  const symbols = splitList(opts.symbols);
  const holdoutSymbols = splitList(opts.holdoutSymbols) ?? [];
  const split = splitSpec(opts);
  await selectTfBackend(opts.backend);

  const data = await deps.loadData({
    pricesDir: opts.prices,
    macroDir: opts.macro,
    newsFiles: splitFiles(opts.news),
    symbols: symbols ? [...new Set([...symbols, ...holdoutSymbols])] : undefined,
  });
  const dataset = buildRiskDataset(data.series, {
    seqLen: opts.seqLen,
    labels: { horizon: opts.horizon, k: opts.k },
    features: data.features,
    split,
    holdoutSymbols,
    marketDivideBy: marketDivideBy(opts.marketScaling, data.features.market),
  });
  for (const w of [...data.warnings, ...dataset.warnings]) deps.stderr(`warning: ${w}\n`);

  const reporter = createProgressReporter({ tty: deps.tty, write: deps.stderr });
  let trained: Awaited<ReturnType<typeof trainRiskModel>>;
  try {
    trained = await trainRiskModel(
      dataset,
      {
        epochs: opts.epochs,
        seed: opts.seed,
        lstmUnits: opts.lstmUnits,
        batchSize: opts.batchSize,
        patience: opts.patience,
      },
      reporter.onProgress,
    );
  } finally {
    reporter.close();
  }

  const createdAt = deps.now();
  const code = deps.code();
  const registry = new ModelRegistry(opts.out);
  const version = modelVersionName('risk', createdAt, code.gitCommit);
  const bundleDir = await registry.publish('risk', version, (dir) =>
    saveRiskBundle(dir, trained, dataset, { version, createdAt, code }),
  );
  const metrics = riskBundleMetadata(trained, dataset, version, createdAt, code).metrics;
  trained.model.dispose();

  // The scorer feeds both models the same scaled windows, so the forecaster is trained with the
  // risk model's scaler and window length, on the training symbols' bars before the test split.
  const anomalyVersion = modelVersionName('anomaly', createdAt, code.gitCommit);
  const anomalyBars = data.series
    .filter((s) => !holdoutSymbols.includes(s.symbol))
    .flatMap((s) => s.bars.filter((b) => b.bar.barEnd < dataset.boundaries.testStart));
  deps.stderr(`training the anomaly forecaster on ${anomalyBars.length} bars\n`);
  const anomalyReporter = createProgressReporter({ tty: deps.tty, write: deps.stderr });
  let anomaly: Awaited<ReturnType<typeof trainAnomalyModel>>;
  try {
    anomaly = await trainAnomalyModel(anomalyBars, {
      ...DEFAULT_ANOMALY_TRAINING,
      seqLen: opts.seqLen,
      units: opts.anomalyUnits,
      epochs: opts.anomalyEpochs,
      seed: opts.seed,
      scaler: dataset.scaler,
      macroNames: data.features.macro,
      version: anomalyVersion,
      now: () => createdAt.getTime(),
      onProgress: anomalyReporter.onProgress,
    });
  } finally {
    anomalyReporter.close();
  }
  const anomalyDir = await registry.publish('anomaly', anomalyVersion, (dir) =>
    saveAnomalyBundle(dir, anomaly.content, anomaly.model),
  );
  anomaly.model.dispose();

  // Risk and anomaly bundles of one run share their scaler; promote them as a pair.
  const promoted = opts.promote || (await registry.current('risk')) === null;
  const anomalyPromoted = opts.promote || (await registry.current('anomaly')) === null;
  if (promoted) {
    await registry.promote('risk', version, {
      reason: opts.promote ? 'train --promote' : 'first risk model in the registry',
      metrics,
    });
  }
  if (anomalyPromoted) {
    await registry.promote('anomaly', anomalyVersion, {
      reason: opts.promote ? 'train --promote' : 'first anomaly model in the registry',
      metrics: anomaly.content.metrics,
    });
  }
  const result: TrainCommandResult = {
    version,
    bundleDir,
    promoted,
    metrics,
    anomaly: { version: anomalyVersion, bundleDir: anomalyDir, promoted: anomalyPromoted },
  };
  deps.stdout(
    `${JSON.stringify(
      {
        version,
        bundleDir,
        promoted,
        evaluation: trained.evaluation,
        calibration: trained.calibration.eventThresholds,
        anomaly: { ...result.anomaly, metrics: anomaly.content.metrics },
      },
      null,
      2,
    )}\n`,
  );
  return result;
}

function splitSpec(opts: TrainCommandOptions): SplitSpec {
  if ((opts.validationStart === undefined) !== (opts.testStart === undefined)) {
    throw new UsageError('--validation-start and --test-start go together');
  }
  if (opts.validationStart !== undefined && opts.testStart !== undefined) {
    return {
      validationStart: date('--validation-start', opts.validationStart),
      testStart: date('--test-start', opts.testStart),
    };
  }
  return { trainFraction: 0.7, validationFraction: 0.15 };
}

function date(flag: string, value: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(t)) throw new UsageError(`${flag} must be a date like 2016-01-04, got ${value}`);
  return t;
}

function splitFiles(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).filter((f) => f.trim() !== '');
}

function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
}

function int(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${flag} must be a positive integer, got ${value}`);
    return n;
  };
}

function num(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(Number.isFinite(n) && n > 0))
      throw new UsageError(`${flag} must be a positive number, got ${value}`);
    return n;
  };
}
