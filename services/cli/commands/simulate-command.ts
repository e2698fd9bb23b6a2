import { join } from 'node:path';
import type { Command } from 'commander';
import { startIngestServices } from '../../ingest/start-ingest-services.js';
import type { RiskFeatureNames, SymbolSeries } from '../../models/risk/risk-dataset.js';
import { selectTfBackend } from '../../models/runtime/tf-backend.js';
import { createProgressReporter } from '../../models/training/progress-reporter.js';
import { loadTrainingData, type TrainingDataOptions } from '../../models/training-data.js';
import { DAILY_REPLAY_INGEST } from '../../replay/daily-replay-settings.js';
import { tickEvent } from '../../replay/replay-event.js';
import { produceReplay } from '../../replay/replay-producer.js';
import { createTransport } from '../../shared/bus/create-transport.js';
import { EmbeddedBus } from '../../shared/bus/embedded-bus.js';
import type { Transport } from '../../shared/bus/transport.js';
import type { Codec } from '../../shared/codec/codec.js';
import { createCodec } from '../../shared/codec/create-codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createMetricsRegistry } from '../../shared/metrics/metrics-registry.js';
import { DATA_DIR } from '../../shared/project-paths.js';
import { stressScenario } from '../../simulate/stress-scenario.js';
import { UsageError } from '../usage-error.js';

export interface SimulateFlags {
  scenario: string;
  symbols: string;
  bars: string;
  transport: string;
  seed: string;
  seqLen: string;
  ganSteps: string;
  trainSymbols: string;
  prices: string;
  macro: string;
  start: string;
  speed: string;
  config?: string;
}

export interface SimulateSettings {
  symbols: string[];
  bars: number;
  transport: 'embedded' | 'kafka';
  seed: number;
  seqLen: number;
  ganSteps: number;
  trainSymbols: string[];
  startDay: number;
  speed: number | 'max';
}

export interface OpenedTransport {
  transport: Transport;
  codec: Codec;
  /** Waits for the in-process consumers (embedded) and says what they produced. */
  drain(): Promise<Record<string, number> | null>;
  close(): Promise<void>;
}

export interface SimulateDeps {
  loadHistory: (
    options: TrainingDataOptions,
  ) => Promise<{ series: SymbolSeries[]; features: RiskFeatureNames }>;
  openTransport: (config: Config, kind: SimulateSettings['transport']) => Promise<OpenedTransport>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  tty: boolean;
}

export interface SimulateSummary {
  scenario: 'stress';
  transport: SimulateSettings['transport'];
  topic: string;
  symbols: string[];
  bars: number;
  produced: number;
  gan: { steps: number; seconds: number; trainWindows: number; positiveWindows: number };
  features: Record<string, number> | null;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);

function int(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!(value.trim() !== '' && Number.isInteger(n) && n >= min)) {
    throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Every flag checked before any data is read or any model trained; errors name the flag. */
export function parseSimulateFlags(flags: SimulateFlags): SimulateSettings {
  if (flags.scenario !== 'stress') {
    throw new UsageError(`--scenario: expected stress, got ${JSON.stringify(flags.scenario)}`);
  }
  if (flags.transport !== 'embedded' && flags.transport !== 'kafka') {
    throw new UsageError(`--transport: expected embedded or kafka, got ${JSON.stringify(flags.transport)}`);
  }
  const symbols = list(flags.symbols);
  if (symbols.length === 0) throw new UsageError('--symbols: expected at least one symbol, got none');
  if (new Set(symbols).size !== symbols.length) {
    throw new UsageError(`--symbols: expected distinct symbols, got ${flags.symbols}`);
  }
  const trainSymbols = list(flags.trainSymbols);
  if (trainSymbols.length === 0)
    throw new UsageError('--train-symbols: expected at least one symbol, got none');
  const startDay = /^\d{4}-\d{2}-\d{2}$/.test(flags.start)
    ? Date.parse(`${flags.start}T00:00:00Z`)
    : Number.NaN;
  if (!Number.isFinite(startDay)) {
    throw new UsageError(`--start: expected a date YYYY-MM-DD, got ${JSON.stringify(flags.start)}`);
  }
  const speed = flags.speed === 'max' ? 'max' : Number(flags.speed);
  if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0)) {
    throw new UsageError(
      `--speed: expected records per second > 0 or "max", got ${JSON.stringify(flags.speed)}`,
    );
  }
  return {
    symbols,
    bars: int('--bars', flags.bars, 1),
    transport: flags.transport,
    seed: int('--seed', flags.seed, 0),
    seqLen: int('--seq-len', flags.seqLen, 2),
    ganSteps: int('--gan-steps', flags.ganSteps, 1),
    trainSymbols,
    startDay,
    speed,
  };
}

const defaultDeps = (): SimulateDeps => ({
  loadHistory: (options) => loadTrainingData(options),
  openTransport: async (config, kind) => {
    const codec = await createCodec({
      schemaRegistryUrl: config.kafka.schemaRegistryUrl,
      schemaRegistryUsername: config.kafka.schemaRegistryUsername,
      schemaRegistryPassword: config.kafka.schemaRegistryPassword,
    });
    if (kind === 'kafka') {
      const transport = createTransport(config);
      return { transport, codec, drain: async () => null, close: () => transport.close() };
    }
    const bus = new EmbeddedBus();
    await bus.ensureTopics(Object.values(config.topics));
    const logger = createLogger('simulate', config.log);
    const metrics = createMetricsRegistry('simulate');
    const services = await startIngestServices({
      config,
      transport: bus,
      codec,
      logger,
      metrics,
      now: Date.now,
    });
    return {
      transport: bus,
      codec,
      drain: async () => {
        await services.drain();
        const size = async (topic: string) =>
          (await bus.offsets(topic)).reduce((s, o) => s + o.high - o.low, 0);
        return { market: await size(config.topics.featuresMarket.name) };
      },
      close: async () => {
        await services.stop();
        await bus.close();
      },
    };
  },
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  tty: process.stderr.isTTY === true,
});

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'publish synthetic stress ticks from the conditional GAN of the retrainer to the input topic (or the embedded bus)',
    )
    .requiredOption('--scenario <name>', 'scenario: stress (paths conditioned on the risk-event label)')
    .option('--symbols <list>', 'comma-separated names of the simulated symbols', 'STRESS1,STRESS2')
    .option('--bars <n>', 'daily bars per symbol', '250')
    .option('--transport <kind>', 'embedded (in-process, with the ingest consumers) or kafka', 'embedded')
    .option('--seed <n>', 'seed of the GAN and its noise (same seed, same ticks)', '42')
    .option('--seq-len <n>', 'window length the GAN learns from (the risk model uses 32)', '32')
    .option('--gan-steps <n>', 'GAN training steps (trained on the fly)', '400')
    .option('--train-symbols <list>', 'real symbols the GAN learns from', 'AAPL,JPM,XOM')
    .option(
      '--prices <dir>',
      'directory of daily price CSVs to learn from',
      join(DATA_DIR, 'market', 'daily'),
    )
    .option('--macro <dir>', 'directory of macro CSVs', join(DATA_DIR, 'macro'))
    .option('--start <date>', 'first simulated trading day, YYYY-MM-DD', '2030-01-02')
    .option('--speed <n>', 'records per second, or max', 'max')
    .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)')
    .action(async (flags: SimulateFlags) => {
      await runSimulateCommand(flags, defaultDeps());
    });
}

/** The simulate command without commander and process globals. */
export async function runSimulateCommand(flags: SimulateFlags, deps: SimulateDeps): Promise<SimulateSummary> {
  const s = parseSimulateFlags(flags);
  const config: Config = loadConfig({
    file: flags.config,
    overrides:
      s.transport === 'embedded'
        ? { transport: 'embedded', ingest: DAILY_REPLAY_INGEST, log: { level: 'warn' } }
        : { transport: 'kafka' },
  });
  await selectTfBackend(config.models.backend);
  const history = await deps.loadHistory({
    pricesDir: flags.prices,
    macroDir: flags.macro,
    symbols: s.trainSymbols,
  });
  deps.stderr(
    `training the GAN on ${history.series.length} symbols (${history.series.reduce((n, x) => n + x.bars.length, 0)} bars)\n`,
  );
  const reporter = createProgressReporter({ tty: deps.tty, write: deps.stderr });
  let scenario: Awaited<ReturnType<typeof stressScenario>>;
  try {
    scenario = await stressScenario(
      history,
      {
        symbols: s.symbols,
        bars: s.bars,
        seqLen: s.seqLen,
        gan: {
          steps: s.ganSteps,
          batchSize: config.retrainer.ganBatchSize,
          units: config.retrainer.ganUnits,
          noiseDim: config.retrainer.ganNoiseDim,
          context: config.retrainer.ganContext,
          learningRate: config.retrainer.ganLearningRate,
        },
        seed: s.seed,
        startDay: s.startDay,
      },
      reporter.onProgress,
    );
  } finally {
    reporter.close();
  }
  const events = scenario.ticks.map(tickEvent).sort((a, b) => a.time - b.time || (a.key < b.key ? -1 : 1));
  const opened = await deps.openTransport(config, s.transport);
  const topic = config.topics.ticks.name;
  try {
    await opened.transport.ensureTopics([config.topics.ticks]);
    const sink = opened.transport.sink();
    try {
      const result = await produceReplay(events, {
        sink,
        codec: opened.codec,
        topics: { ticks: topic, macro: config.topics.macro.name, news: config.topics.news.name },
        speed: s.speed,
        batchSize: config.kafka.producerBatchSize,
      });
      const summary: SimulateSummary = {
        scenario: 'stress',
        transport: s.transport,
        topic,
        symbols: s.symbols,
        bars: s.bars,
        produced: result.produced.ticks,
        gan: scenario.gan,
        features: await opened.drain(),
      };
      deps.stdout(`${JSON.stringify(summary)}\n`);
      return summary;
    } finally {
      await sink.close();
    }
  } finally {
    await opened.close();
  }
}
