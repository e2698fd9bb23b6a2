import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startIngestServices } from '../../services/ingest/start-ingest-services.js';
import { ModelRegistry } from '../../services/models/registry/model-registry.js';
import { buildReplayPlan } from '../../services/replay/replay-plan.js';
import { produceReplay } from '../../services/replay/replay-producer.js';
import { startScorer } from '../../services/scorer/main.js';
import type { Emission } from '../../services/scorer/scored-item.js';
import type { Source, SourceOptions, Transport } from '../../services/shared/bus/transport.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import type { Config } from '../../services/shared/config/config-schema.js';
import type { AnomalyAlert, RiskAlert, RiskScore } from '../../services/shared/contracts/records.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { DATA_DIR } from '../../services/shared/project-paths.js';
import { readTopic } from './read-topic.js';

export interface ScoringScenarioOptions {
  config: Config;
  codec: Codec;
  symbols: string[];
  from: string;
  toDate: string;
  /** Default: the committed registry of config.models.registryDir. */
  registry?: ModelRegistry;
  /** Upper bound on the wait for the scorer to commit every bar (not an assertion on speed). */
  settleMs?: number;
}

export interface ScoringReport {
  bars: Map<string, number>;
  seqLen: number;
  scores: RiskScore[];
  riskAlerts: RiskAlert[];
  anomalyAlerts: AnomalyAlert[];
  /** What the scorer handed on after storing it, for comparing with what the topics hold. */
  emitted: { scores: number; riskAlerts: number; anomalyAlerts: number };
  deadLetters: number;
  models: { risk: string; anomaly: string };
  /** Empty when every property held. */
  problems: string[];
}

/** Keeps the sources the services open, to read what they committed. */
export function recordingSources(inner: Transport): { transport: Transport; sources: Source[] } {
  const sources: Source[] = [];
  const transport: Transport = {
    kind: inner.kind,
    ensureTopics: (specs) => inner.ensureTopics(specs),
    offsets: (topic) => inner.offsets(topic),
    read: (topic, partition, from, to) => inner.read(topic, partition, from, to),
    sink: () => inner.sink(),
    close: () => inner.close(),
    source: (options: SourceOptions) => {
      const s = inner.source(options);
      sources.push(s);
      return s;
    },
  };
  return { transport, sources };
}

/**
 * Ticks in, scores and alerts out: replays real daily data onto the input topics, runs the three
 * consumers and the scorer (windowing + both committed models + alert policy) on `transport`, waits
 * until the scorer has committed every bar, then reads the output topics back and checks: one
 * score per full window (no bar lost, none scored twice), unique deterministic alert ids, every
 * alert explained, and the output topics holding exactly what the scorer emitted.
 */
export async function runScoringScenario(
  inner: Transport,
  options: ScoringScenarioOptions,
): Promise<ScoringReport> {
  const { config, codec } = options;
  const { topics } = config;
  const problems: string[] = [];
  const { transport, sources } = recordingSources(inner);
  const logger = createLogger('scoring-scenario', {
    level: (process.env.RISK_IT_LOG_LEVEL as 'info' | undefined) ?? 'silent',
    pretty: 'false',
  });
  const ctx = { config, transport, codec, logger, metrics: new Registry(), now: Date.now };
  const emitted = { scores: 0, riskAlerts: 0, anomalyAlerts: 0 };

  const ingest = await startIngestServices(ctx);
  const scorer = await startScorer(ctx, {
    ...(options.registry ? { registry: options.registry } : {}),
    onEmission: (em: Emission) => {
      emitted.scores += em.scores.length;
      emitted.riskAlerts += em.riskAlerts.length;
      emitted.anomalyAlerts += em.anomalyAlerts.length;
    },
  });
  const plan = buildReplayPlan({
    pricesDir: join(DATA_DIR, 'market', 'daily'),
    macroDir: join(DATA_DIR, 'macro'),
    newsFiles: [join(DATA_DIR, 'news', 'twitter-financial-news-valid.csv')],
    symbols: options.symbols,
    from: Date.parse(`${options.from}T00:00:00Z`),
    toDate: Date.parse(`${options.toDate}T00:00:00Z`),
  });
  const sink = transport.sink();
  await produceReplay(plan.events, {
    sink,
    codec,
    topics: { ticks: topics.ticks.name, macro: topics.macro.name, news: topics.news.name },
    speed: 'max',
  });
  await sink.close();
  await ingest.drain();

  // The scorer has finished when its group committed the end of every market-feature partition.
  const ends = new Map<string, number>();
  for (const o of await transport.offsets(topics.featuresMarket.name))
    if (o.high > o.low) ends.set(`${topics.featuresMarket.name}:${o.partition}`, o.high);
  const lagging = () => {
    const committed = new Map<string, number>();
    for (const s of sources)
      for (const [k, v] of s.committed()) committed.set(k, Math.max(v, committed.get(k) ?? 0));
    return [...ends]
      .filter(([k, end]) => (committed.get(k) ?? 0) < end)
      .map(([k, end]) => `${k} committed at ${committed.get(k) ?? 'nothing'}, expected ${end}`);
  };
  const settleMs = options.settleMs ?? 120_000;
  for (let waited = 0; lagging().length > 0 && waited < settleMs; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  problems.push(...lagging());
  const models = scorer.versions();
  await scorer.stop();
  await ingest.stop();

  const registry = options.registry ?? new ModelRegistry(config.models.registryDir);
  const metadata = JSON.parse(
    await readFile(join(registry.bundleDir('risk', models.risk), 'metadata.json'), 'utf8'),
  ) as { seqLen: number };
  const seqLen = metadata.seqLen;
  const bars = new Map<string, number>();
  for (const r of await readTopic(transport, topics.featuresMarket.name)) {
    if (!r.value) continue;
    const bar = codec.decode('MarketBar', r.value);
    bars.set(bar.symbol, (bars.get(bar.symbol) ?? 0) + 1);
  }
  const scores = (await readTopic(transport, topics.scores.name)).map((r) =>
    codec.decode('RiskScore', r.value ?? Buffer.alloc(0)),
  );
  const riskAlerts = (await readTopic(transport, topics.alerts.name)).map((r) =>
    codec.decode('RiskAlert', r.value ?? Buffer.alloc(0)),
  );
  const anomalyAlerts = (await readTopic(transport, topics.anomalyAlerts.name)).map((r) =>
    codec.decode('AnomalyAlert', r.value ?? Buffer.alloc(0)),
  );
  const deadLetters = (await readTopic(transport, topics.dlq.name)).length;

  // One score per full window: a symbol with n bars has n - L + 1 windows of L bars.
  for (const [symbol, n] of bars) {
    const want = Math.max(0, n - seqLen + 1);
    const got = scores.filter((s) => s.symbol === symbol);
    if (got.length !== want)
      problems.push(`${symbol}: ${n} bars gave ${got.length} scores, expected ${want}`);
    const times = new Set(got.map((s) => s.barTime));
    if (times.size !== got.length) problems.push(`${symbol}: ${got.length - times.size} bars scored twice`);
  }
  const ids = [...riskAlerts.map((a) => a.alertId), ...anomalyAlerts.map((a) => a.alertId)];
  if (new Set(ids).size !== ids.length) problems.push('alert ids are not unique');
  for (const a of [...riskAlerts, ...anomalyAlerts]) {
    if (a.explanation.length === 0) problems.push(`alert ${a.alertId} carries no explanation`);
  }
  const stored = {
    scores: scores.length,
    riskAlerts: riskAlerts.length,
    anomalyAlerts: anomalyAlerts.length,
  };
  if (JSON.stringify(stored) !== JSON.stringify(emitted)) {
    problems.push(`the topics hold ${JSON.stringify(stored)}, the scorer emitted ${JSON.stringify(emitted)}`);
  }
  return { bars, seqLen, scores, riskAlerts, anomalyAlerts, emitted, deadLetters, models, problems };
}
