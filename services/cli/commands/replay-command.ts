import { join } from 'node:path';
import type { Command } from 'commander';
import type { Counter } from 'prom-client';
import { startIngestServices } from '../../ingest/start-ingest-services.js';
import { DAILY_REPLAY_INGEST } from '../../replay/daily-replay-settings.js';
import { buildReplayPlan, MACRO_FILES, ReplayInputError } from '../../replay/replay-plan.js';
import { produceReplay } from '../../replay/replay-producer.js';
import { createProgress } from '../../replay/replay-progress.js';
import { createTransport } from '../../shared/bus/create-transport.js';
import { EmbeddedBus } from '../../shared/bus/embedded-bus.js';
import type { Transport } from '../../shared/bus/transport.js';
import { createCodec } from '../../shared/codec/create-codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createMetricsRegistry } from '../../shared/metrics/metrics-registry.js';
import { DATA_DIR } from '../../shared/project-paths.js';
import { UsageError } from '../usage-error.js';

interface ReplayFlags {
  prices: string;
  macro: string;
  news: string;
  to: string;
  speed: string;
  symbols?: string;
  from?: string;
  toDate?: string;
  config?: string;
}

function parseDay(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(t))
    throw new UsageError(`${flag}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return t;
}

function parseSpeed(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--speed: expected records per second > 0 or "max", got ${JSON.stringify(value)}`);
  return n;
}

async function counterTotals(counter: Counter | undefined, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await counter?.get())?.values ?? []) {
    const key = String(v.labels[label]);
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

async function topicSize(transport: Transport, topic: string): Promise<number> {
  return (await transport.offsets(topic)).reduce((s, o) => s + (o.high - o.low), 0);
}

/**
 * `risk-monitor replay`: the bundled (or any) daily data as input-topic records, in event-time
 * order, through the same producer path a backfill uses. --to embedded also runs the three
 * consumers in-process on the embedded bus and prints what they produced.
 */
export function registerReplayCommand(program: Command): void {
  const dflt = {
    prices: join(DATA_DIR, 'market', 'daily'),
    macro: join(DATA_DIR, 'macro'),
    news: ['twitter-financial-news-train.csv', 'twitter-financial-news-valid.csv']
      .map((f) => join(DATA_DIR, 'news', f))
      .join(','),
  };
  program
    .command('replay')
    .description('replay daily prices, macro series and labelled tweets onto the input topics')
    .option('--prices <dir>', 'directory of <SYMBOL>.csv daily OHLCV files', dflt.prices)
    .option('--macro <dir>', `directory with ${Object.values(MACRO_FILES).join(', ')}`, dflt.macro)
    .option('--news <files>', 'comma-separated labelled tweet CSV files (text,label)', dflt.news)
    .option(
      '--to <target>',
      'kafka (the configured brokers) or embedded (in-process, with the consumers)',
      'embedded',
    )
    .option('--speed <n>', 'records per second, or max', 'max')
    .option('--symbols <list>', 'comma-separated tickers (default: every price file)')
    .option('--from <date>', 'first trading day, YYYY-MM-DD')
    .option('--to-date <date>', 'last trading day, YYYY-MM-DD')
    .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)')
    .action(async (flags: ReplayFlags) => {
      if (flags.to !== 'kafka' && flags.to !== 'embedded') {
        throw new UsageError(`--to: expected kafka or embedded, got ${JSON.stringify(flags.to)}`);
      }
      const speed = parseSpeed(flags.speed);
      const from = parseDay('--from', flags.from);
      const toDate = parseDay('--to-date', flags.toDate);
      if (from !== undefined && toDate !== undefined && toDate < from) {
        throw new UsageError(`--to-date ${flags.toDate} is before --from ${flags.from}`);
      }
      const symbols = flags.symbols
        ?.split(',')
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s.length > 0);

      const embedded = flags.to === 'embedded';
      const config: Config = loadConfig({
        file: flags.config,
        overrides: embedded ? { transport: 'embedded', ingest: DAILY_REPLAY_INGEST } : { transport: 'kafka' },
      });
      const logger = createLogger('replay', config.log);
      let plan: ReturnType<typeof buildReplayPlan>;
      try {
        plan = buildReplayPlan({
          pricesDir: flags.prices,
          macroDir: flags.macro,
          newsFiles: flags.news.split(',').filter((f) => f.trim() !== ''),
          symbols,
          from,
          toDate,
        });
      } catch (err) {
        if (err instanceof ReplayInputError) throw new UsageError(err.message);
        throw err;
      }
      const day = (t: number | null) => (t === null ? null : new Date(t).toISOString().slice(0, 10));
      logger.info(
        {
          symbols: plan.symbols.length,
          from: day(plan.firstDay),
          to: day(plan.lastDay),
          ...plan.counts,
          skipped: plan.skipped,
        },
        'replay planned',
      );

      const metrics = createMetricsRegistry('replay');
      const transport = embedded ? new EmbeddedBus() : createTransport(config, logger, metrics);
      const codec = await createCodec({
        schemaRegistryUrl: config.kafka.schemaRegistryUrl,
        schemaRegistryUsername: config.kafka.schemaRegistryUsername,
        schemaRegistryPassword: config.kafka.schemaRegistryPassword,
      });
      const { topics } = config;
      await transport.ensureTopics([topics.ticks, topics.macro, topics.news]);
      const services = embedded
        ? await startIngestServices({ config, transport, codec, logger, metrics, now: Date.now })
        : undefined;

      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const progress = createProgress(logger, 'replay');
      const sink = transport.sink();
      try {
        const result = await produceReplay(plan.events, {
          sink,
          codec,
          topics: { ticks: topics.ticks.name, macro: topics.macro.name, news: topics.news.name },
          speed,
          batchSize: config.kafka.producerBatchSize,
          onProgress: (done, total) => progress.update(done, total),
          signal: abort.signal,
        });
        progress.stop();
        const summary: Record<string, unknown> = {
          to: flags.to,
          produced: result.produced,
          aborted: result.aborted,
        };
        if (services) {
          if (!result.aborted) await services.drain();
          summary.features = {
            market: await topicSize(transport, topics.featuresMarket.name),
            sentiment: await topicSize(transport, topics.featuresSentiment.name),
            macro: await topicSize(transport, topics.featuresMacro.name),
          };
          summary.deadLetters = await counterTotals(
            metrics.getSingleMetric('risk_ingest_dead_letters_total') as Counter | undefined,
            'reason',
          );
          summary.duplicates = await counterTotals(
            metrics.getSingleMetric('risk_ingest_duplicates_total') as Counter | undefined,
            'service',
          );
        }
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        progress.stop();
        await services?.stop();
        await sink.close();
        await transport.close();
        logger.flush();
      }
    });
}
