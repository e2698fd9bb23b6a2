import { join } from 'node:path';
import { startIngestServices } from '../ingest/start-ingest-services.js';
import { ModelRegistry } from '../models/registry/model-registry.js';
import { DAILY_REPLAY_INGEST } from '../replay/daily-replay-settings.js';
import { buildReplayPlan } from '../replay/replay-plan.js';
import { produceReplay } from '../replay/replay-producer.js';
import { startScorer } from '../scorer/main.js';
import { EmbeddedBus } from '../shared/bus/embedded-bus.js';
import { createCodec } from '../shared/codec/create-codec.js';
import type { Config } from '../shared/config/config-schema.js';
import { loadConfig } from '../shared/config/load-config.js';
import { createLogger } from '../shared/logging/logger.js';
import { createMetricsRegistry } from '../shared/metrics/metrics-registry.js';
import { startMetricsServer } from '../shared/metrics/metrics-server.js';
import { DATA_DIR } from '../shared/project-paths.js';
import { AlertsJsonl } from './alerts-jsonl.js';
import { DemoStats, type DemoSummary } from './demo-stats.js';
import type { DemoView } from './demo-view.js';

export interface DemoOptions {
  /** Input records per second, or 'max'. */
  speed: number | 'max';
  symbols?: string[] | undefined;
  from?: number | undefined;
  toDate?: number | undefined;
  alertsFile: string;
  /** 0 picks a free port. */
  metricsPort: number;
  view: DemoView;
  configFile?: string | undefined;
  /** Registry to serve from (default: config.models.registryDir, the committed bundles). */
  registryDir?: string | undefined;
}

export interface DemoResult {
  summary: DemoSummary;
  alertsFile: string;
  metricsUrl: string;
  models: { risk: string; anomaly: string };
}

async function topicSize(bus: EmbeddedBus, topic: string): Promise<number> {
  return (await bus.offsets(topic)).reduce((s, o) => s + o.high, 0);
}

/**
 * The main job: every service in one process on the embedded bus, fed with the bundled real data
 * by the replay producer. The demo ends when the scorer has committed every bar, i.e. every score
 * and alert derived from the replay is out.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const config: Config = loadConfig({
    file: options.configFile,
    overrides: {
      transport: 'embedded',
      ingest: DAILY_REPLAY_INGEST,
      log: { level: 'warn' },
      ...(options.registryDir ? { models: { registryDir: options.registryDir } } : {}),
    },
  });
  const logger = createLogger('demo', config.log);
  const metrics = createMetricsRegistry('demo');
  const server = await startMetricsServer({
    host: config.metrics.host,
    port: options.metricsPort,
    registry: metrics,
  });
  const bus = new EmbeddedBus();
  const codec = await createCodec();
  const { topics } = config;
  await bus.ensureTopics(Object.values(topics));
  const stats = new DemoStats(Date.now);
  const alerts = new AlertsJsonl(options.alertsFile);
  const ctx = { config, transport: bus, codec, logger, metrics, now: Date.now };

  const plan = buildReplayPlan({
    pricesDir: join(DATA_DIR, 'market', 'daily'),
    macroDir: join(DATA_DIR, 'macro'),
    newsFiles: ['twitter-financial-news-train.csv', 'twitter-financial-news-valid.csv'].map((f) =>
      join(DATA_DIR, 'news', f),
    ),
    symbols: options.symbols,
    from: options.from,
    toDate: options.toDate,
  });
  const ingest = await startIngestServices(ctx);
  const scorer = await startScorer(ctx, {
    registry: new ModelRegistry(config.models.registryDir),
    onEmission: (em) => {
      stats.addEmission(em);
      for (const a of em.riskAlerts) {
        alerts.write('risk', a);
        options.view.alert(a);
      }
      for (const a of em.anomalyAlerts) {
        alerts.write('anomaly', a);
        options.view.alert(a);
      }
      options.view.status(stats);
    },
  });

  const refresh = async () => {
    stats.features.bars = await topicSize(bus, topics.featuresMarket.name);
    stats.features.sentiment = await topicSize(bus, topics.featuresSentiment.name);
    stats.features.macro = await topicSize(bus, topics.featuresMacro.name);
    options.view.status(stats);
  };
  const ticker = setInterval(() => void refresh(), 250);
  try {
    const result = await produceReplay(plan.events, {
      sink: bus.sink(),
      codec,
      topics: { ticks: topics.ticks.name, macro: topics.macro.name, news: topics.news.name },
      speed: options.speed,
      onProgress: (done) => {
        // Events are produced in order, so the produced counts are those of the plan's prefix.
        stats.inputs.ticks = Math.min(plan.counts.ticks, done);
      },
    });
    stats.inputs = { ticks: result.produced.ticks, macro: result.produced.macro, news: result.produced.news };
    await ingest.drain();
    await waitForScorer(bus, `${config.kafka.groupIdPrefix}.windowing`, topics.featuresMarket.name);
  } finally {
    clearInterval(ticker);
  }
  await refresh();
  const models = scorer.versions();
  await scorer.stop();
  await ingest.stop();
  for (const { partition, high } of await bus.offsets(topics.dlq.name)) {
    for (const r of await bus.read(topics.dlq.name, partition, 0, high)) {
      if (r.value) stats.addDeadLetter(codec.decode('DeadLetter', r.value).errorCode);
    }
  }
  await alerts.close();
  await bus.close();
  await server.close();
  return { summary: stats.summary(), alertsFile: options.alertsFile, metricsUrl: server.url, models };
}

/** Resolves when the windowing group has committed every bar on the market feature topic. */
async function waitForScorer(bus: EmbeddedBus, groupId: string, topic: string): Promise<void> {
  for (;;) {
    const committed = bus.groupOffsets(groupId);
    const offsets = await bus.offsets(topic);
    if (offsets.every((o) => (committed.get(`${topic}:${o.partition}`) ?? 0) >= o.high)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
