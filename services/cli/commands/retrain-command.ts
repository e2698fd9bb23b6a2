import type { Command } from 'commander';
import { type CodeVersion, currentCodeVersion } from '../../models/bundle/code-version.js';
import { ModelRegistry } from '../../models/registry/model-registry.js';
import { selectTfBackend } from '../../models/runtime/tf-backend.js';
import { createProgressReporter } from '../../models/training/progress-reporter.js';
import { loadTrainingData, type TrainingDataOptions } from '../../models/training-data.js';
import { cycleOptionsFromRequest } from '../../retrainer/cycle-request.js';
import { type RetrainCycleResult, runRetrainCycle } from '../../retrainer/retrain-cycle.js';
import { type RetrainData, retrainDataFromTransport } from '../../retrainer/retrain-data.js';
import { createTransport } from '../../shared/bus/create-transport.js';
import { createCodec } from '../../shared/codec/create-codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import { loadConfig } from '../../shared/config/load-config.js';
import type { ModelUpdate } from '../../shared/contracts/records.js';
import { UsageError } from '../usage-error.js';
import { notifyModelUpdate } from './model-update-notify.js';

export interface RetrainCommandOptions {
  once?: boolean;
  prices?: string;
  macro?: string;
  news?: string[];
  registry?: string;
  margin?: number;
  /** Only bars ending at or after this date (yyyy-mm-dd or ISO time) from the feature topics. */
  since?: string;
  epochs?: number;
  freezeLstm?: boolean;
  /** A full cycle: the champion's architecture from fresh weights on the whole history. */
  full?: boolean;
  /** off | auto: GAN augmentation and MI feature selection (default: config retrainer.*). */
  augmentation?: 'off' | 'auto';
  featureSelection?: 'off' | 'auto';
  config?: string;
}

export interface RetrainCommandDeps {
  loadFiles: (
    options: TrainingDataOptions,
  ) => Promise<{ series: RetrainData['series']; features: RetrainData['features'] }>;
  /** The feature topics of the configured transport (Kafka), when no files are given. */
  loadTopics: (config: Config, since?: number) => Promise<RetrainData>;
  notify: (config: Config, update: ModelUpdate) => Promise<boolean>;
  now: () => Date;
  code: () => CodeVersion;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  tty: boolean;
}

const defaultDeps = (): RetrainCommandDeps => ({
  loadFiles: loadTrainingData,
  loadTopics: async (config, since) => {
    const transport = createTransport(config);
    try {
      const codec = await createCodec({
        schemaRegistryUrl: config.kafka.schemaRegistryUrl,
        schemaRegistryUsername: config.kafka.schemaRegistryUsername,
        schemaRegistryPassword: config.kafka.schemaRegistryPassword,
      });
      return await retrainDataFromTransport(transport, codec, config, since === undefined ? {} : { since });
    } finally {
      await transport.close();
    }
  },
  notify: (config, update) => notifyModelUpdate(config, update),
  now: () => new Date(),
  code: () => currentCodeVersion(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  tty: process.stderr.isTTY === true,
});

export function registerRetrainCommand(program: Command): void {
  program
    .command('retrain')
    .description(
      'one retraining cycle: fine-tune the current risk model on recent bars, gate it against the champion, publish it, promote it if it passes',
    )
    .option('--once', 'run one cycle and exit (the scheduled retrainer is `risk-monitor run retrainer`)')
    .option(
      '--prices <dir>',
      'directory of daily price CSVs; without files the feature topics are read (transport kafka)',
    )
    .option('--macro <dir>', 'directory of macro CSVs (with --prices)')
    .option('--news <files...>', 'labelled tweet CSVs (with --prices)')
    .option(
      '--since <date>',
      'read the feature topics from this date on (yyyy-mm-dd or ISO time; default: the whole retained history)',
    )
    .option('--registry <dir>', 'model registry root (default: config models.registryDir)')
    .option(
      '--margin <x>',
      'PR-AUC gain the challenger needs over the champion (default: config retrainer.prAucMargin)',
      nonNegative('--margin'),
    )
    .option('--epochs <n>', 'fine-tuning epochs (default: config retrainer.epochs)', positiveInt('--epochs'))
    .option('--freeze-lstm', "keep the champion's LSTM tower fixed")
    .option(
      '--full',
      "a full cycle: the champion's architecture from fresh weights on every symbol's whole history, gated like a fine-tune",
    )
    .option(
      '--augmentation <mode>',
      'GAN augmentation: off or auto (default: config retrainer.augmentation)',
      offOrAuto('--augmentation'),
    )
    .option(
      '--feature-selection <mode>',
      'mutual-information feature selection: off or auto (default: config retrainer.featureSelection)',
      offOrAuto('--feature-selection'),
    )
    .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)')
    .action(async (opts: RetrainCommandOptions) => {
      await runRetrainCommand(opts, defaultDeps());
    });
}

/** The retrain command without commander and process globals. */
export async function runRetrainCommand(
  opts: RetrainCommandOptions,
  deps: RetrainCommandDeps,
): Promise<RetrainCycleResult> {
  if (!opts.once) {
    throw new UsageError(
      'retrain needs --once (the scheduled retrainer runs as a service: risk-monitor run retrainer)',
    );
  }
  if ((opts.prices === undefined) !== (opts.macro === undefined)) {
    throw new UsageError('--prices and --macro go together');
  }
  if (opts.full && opts.freezeLstm) {
    throw new UsageError('--full trains from fresh weights: --freeze-lstm has nothing to keep');
  }
  const since = opts.since === undefined ? undefined : parseSince(opts.since);
  if (since !== undefined && opts.prices !== undefined) {
    throw new UsageError('--since selects from the feature topics; with --prices give the files you want');
  }
  const config = loadConfig({ file: opts.config });
  if (opts.prices === undefined && config.transport !== 'kafka') {
    throw new UsageError(
      'retrain needs data: --prices DIR --macro DIR, or transport kafka (RISK_TRANSPORT=kafka) to read the risk.features.* topics',
    );
  }
  const settings = {
    ...config.retrainer,
    ...(opts.margin !== undefined ? { prAucMargin: opts.margin } : {}),
    ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
    ...(opts.freezeLstm ? { freezeLstm: true } : {}),
    ...(opts.augmentation !== undefined ? { augmentation: opts.augmentation } : {}),
    ...(opts.featureSelection !== undefined ? { featureSelection: opts.featureSelection } : {}),
  };
  const registry = new ModelRegistry(opts.registry ?? config.models.registryDir);
  await selectTfBackend(config.models.backend);

  const data: RetrainData =
    opts.prices !== undefined && opts.macro !== undefined
      ? await deps.loadFiles({
          pricesDir: opts.prices,
          macroDir: opts.macro,
          newsFiles: splitFiles(opts.news),
        })
      : await deps.loadTopics(config, since);
  deps.stderr(
    `retraining on ${data.series.length} symbols (${data.series.reduce((n, s) => n + s.bars.length, 0)} bars)\n`,
  );

  const reporter = createProgressReporter({ tty: deps.tty, write: deps.stderr });
  let result: RetrainCycleResult;
  try {
    result = await runRetrainCycle(
      data,
      cycleOptionsFromRequest(
        {
          data,
          registryDir: registry.root,
          backend: config.models.backend,
          trigger: 'manual',
          kind: opts.full ? 'full' : 'fine-tune',
          requireDrift: false,
          settings,
          nowMs: deps.now().getTime(),
          code: deps.code(),
        },
        reporter.onProgress,
      ),
    );
  } finally {
    reporter.close();
  }
  let notified = false;
  for (const u of result.updates) notified = (await deps.notify(config, u)) || notified;
  deps.stdout(
    `${JSON.stringify(
      {
        outcome: result.outcome,
        kind: result.kind,
        champion: result.champion,
        challenger: result.challenger,
        gate: result.gate,
        anomaly: result.anomaly,
        drift: {
          level: result.drift.level,
          worst: result.drift.worst,
          score: result.drift.score,
          features: result.drift.features.map((f) => ({ feature: `${f.group}.${f.name}`, psi: f.psi })),
        },
        period: { from: new Date(result.period.from).toISOString(), samples: result.period.samples },
        updates: result.updates,
        variants: result.variants ?? null,
        notified,
      },
      null,
      2,
    )}\n`,
  );
  return result;
}

function parseSince(value: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(t)) throw new UsageError(`--since must be a date like 2016-01-04, got ${value}`);
  return t;
}

function splitFiles(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).filter((f) => f.trim() !== '');
}

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${flag} must be a positive integer, got ${value}`);
    return n;
  };
}

function nonNegative(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(value.trim() !== '' && Number.isFinite(n) && n >= 0)) {
      throw new UsageError(`${flag} must be a number >= 0, got ${value}`);
    }
    return n;
  };
}

function offOrAuto(flag: string) {
  return (value: string): 'off' | 'auto' => {
    if (value !== 'off' && value !== 'auto') {
      throw new UsageError(`${flag} must be off or auto, got ${JSON.stringify(value)}`);
    }
    return value;
  };
}
