import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIngestServices } from '../../services/ingest/start-ingest-services.js';
import { ModelRegistry, type RegistryWatch } from '../../services/models/registry/model-registry.js';
import { DAILY_REPLAY_INGEST } from '../../services/replay/daily-replay-settings.js';
import { buildReplayPlan } from '../../services/replay/replay-plan.js';
import { produceReplay } from '../../services/replay/replay-producer.js';
import type { GateOptions } from '../../services/retrainer/challenger-gate.js';
import { type CycleRunner, cycleOptionsFromRequest } from '../../services/retrainer/cycle-request.js';
import { startRetrainer } from '../../services/retrainer/main.js';
import { modelUpdateSender } from '../../services/retrainer/model-update-sender.js';
import { runRetrainCycle } from '../../services/retrainer/retrain-cycle.js';
import { startScorer } from '../../services/scorer/main.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import { createCodec } from '../../services/shared/codec/create-codec.js';
import type { Config } from '../../services/shared/config/config-schema.js';
import { loadConfig } from '../../services/shared/config/load-config.js';
import type { RiskScore } from '../../services/shared/contracts/records.js';
import { createKafkaTransport, type KafkaTransport } from '../../services/shared/kafka/kafka-transport.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { DATA_DIR, PACKAGE_ROOT } from '../../services/shared/project-paths.js';
import { readTopic } from '../scenarios/read-topic.js';
import { recordingSources } from '../scenarios/scoring-scenario.js';
import {
  createTopic,
  namespacedTopics,
  testKafkaConfig,
  uniqueName,
  waitUntil,
} from './support/kafka-fixtures.js';

const env = inject('integrationEnv');

/**
 * The scorer here reloads only on ModelUpdate records: without the registry's file watch, a swap
 * proves that the record went through the broker and reached it.
 */
class TopicOnlyRegistry extends ModelRegistry {
  override watch(): RegistryWatch {
    return { ready: Promise.resolve(), close: () => {} };
  }
}

const SYMBOLS = ['AAPL', 'JPM', 'XOM'];
const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
const key = (s: RiskScore) => `${s.symbol}|${s.barTime}`;

describe(`retraining cycle against ${env.description}`, () => {
  const ns = uniqueName('retrain');
  const kafka = testKafkaConfig(env, { groupIdPrefix: uniqueName('retrain-group') });
  const topics = namespacedTopics(ns);
  const logger = createLogger('retrainer-it', {
    level: (process.env.RISK_IT_LOG_LEVEL as 'info' | undefined) ?? 'silent',
    pretty: 'false',
  });
  let root: string;
  let config: Config;
  let transport: KafkaTransport;
  let codec: Codec;
  let champion: { risk: string; anomaly: string };

  beforeAll(async () => {
    // The committed pair (deploy/models/registry) is the champion, in a registry of this run's own.
    root = await mkdtemp(join(tmpdir(), 'retrainer-it-'));
    await cp(join(PACKAGE_ROOT, 'deploy/models/registry'), root, { recursive: true });
    const registry = new ModelRegistry(root);
    champion = {
      risk: (await registry.current('risk')) as string,
      anomaly: (await registry.current('anomaly')) as string,
    };
    transport = createKafkaTransport(kafka, logger);
    codec = await createCodec();
    for (const t of Object.values(topics)) await createTopic(env, transport, t.name, t.partitions);
    config = loadConfig({
      env: {},
      overrides: {
        transport: 'kafka',
        kafka,
        topics,
        ingest: DAILY_REPLAY_INGEST,
        influx: { enabled: false },
        models: { registryDir: root, riskRuntime: 'tfjs' },
        // Tiny fine-tuning budgets; cycles only when the test asks (runNow).
        retrainer: { intervalMs: 0, driftCheckMs: 2 ** 30, epochs: 1, anomalyEpochs: 1, freezeLstm: true },
      },
    });
  });

  afterAll(async () => {
    await transport?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('replays features from the topic, fine-tunes, gates, promotes; the running scorer swaps on the ModelUpdate scoring every sequence exactly once', async () => {
    const { transport: recorded, sources } = recordingSources(transport);
    const metrics = new Registry();
    const ctx = { config, transport: recorded, codec, logger, metrics, now: Date.now };
    const ingest = await startIngestServices(ctx);
    const scorer = await startScorer(ctx, { registry: new TopicOnlyRegistry(root) });
    let gate: GateOptions = { prAucMargin: 1, falseAlarmMargin: 1 };
    // In this thread (the scorer shares it), with the test's gate: margins no config allows (< 0).
    // `promotedHook` runs once a cycle has promoted, before the service sends the ModelUpdates.
    let promotedHook = () => {};
    const inThread: CycleRunner = async (request, progress) => {
      const result = await runRetrainCycle(request.data, {
        ...cycleOptionsFromRequest(request, progress),
        gate,
      });
      if (result.outcome === 'promoted') promotedHook();
      return result;
    };
    const retrainer = await startRetrainer({ ...ctx, metrics: new Registry() }, { runCycle: inThread });
    const registry = new ModelRegistry(root);
    const sink = transport.sink();

    const replay = async (from: string, to: string) => {
      const plan = buildReplayPlan({
        pricesDir: join(DATA_DIR, 'market', 'daily'),
        macroDir: join(DATA_DIR, 'macro'),
        newsFiles: [],
        symbols: SYMBOLS,
        from: day(from),
        toDate: day(to),
      });
      await produceReplay(plan.events, {
        sink,
        codec,
        topics: { ticks: topics.ticks.name, macro: topics.macro.name, news: topics.news.name },
        speed: 'max',
      });
      await ingest.drain();
    };
    // Scored = the scorer's group committed the end of every market-feature partition.
    const settled = async (what: string) => {
      const ends = (await transport.offsets(topics.featuresMarket.name)).map(
        (o) => [`${topics.featuresMarket.name}:${o.partition}`, o.high] as const,
      );
      const lagging = () => {
        const committed = new Map<string, number>();
        for (const s of sources)
          for (const [k, v] of s.committed()) committed.set(k, Math.max(v, committed.get(k) ?? 0));
        return ends.filter(([k, end]) => (committed.get(k) ?? 0) < end);
      };
      await waitUntil(what, () => lagging().length === 0, {
        timeoutMs: 90_000,
        describe: () => JSON.stringify(lagging()),
      });
    };
    const scores = async () =>
      (await readTopic(transport, topics.scores.name)).map((r) =>
        codec.decode('RiskScore', r.value ?? Buffer.alloc(0)),
      );
    const updates = async () =>
      (await readTopic(transport, topics.modelUpdates.name)).map((r) =>
        codec.decode('ModelUpdate', r.value ?? Buffer.alloc(0)),
      );

    try {
      // 1. Champion serving; the retained history builds up on risk.features.*.
      await replay('2013-04-01', '2014-03-31');
      await settled('the champion to score segment 1');
      expect(scorer.versions()).toEqual(champion);

      // 2. A challenger that cannot beat the champion by the margin: kept, not promoted.
      const rejected = await retrainer.runNow('manual');
      expect(rejected.outcome).toBe('rejected');
      expect(rejected.gate?.checks.find((c) => !c.passed)?.name).toBe('pr-auc');
      expect(rejected.anomaly?.challenger.falseAlarms.judged).toBeGreaterThan(0);
      expect(await updates()).toEqual([]);
      expect(await registry.current('risk')).toBe(champion.risk);
      expect(await registry.versions('risk')).toContain(rejected.challenger?.version);

      // 3. A corrupt bundle made current behind the gate's back and announced on the topic: refused.
      const bad = 'risk-29990101-000000-corrupt';
      await cp(rejected.challenger?.bundleDir as string, registry.bundleDir('risk', bad), {
        recursive: true,
      });
      const weights = join(registry.bundleDir('risk', bad), 'weights.bin');
      const bytes = await readFile(weights);
      bytes[10] = (bytes[10] as number) ^ 0xff;
      await writeFile(weights, bytes);
      const forced = await registry.promote('risk', bad, { reason: 'test: a corrupt bundle' });
      await modelUpdateSender(sink, codec, topics.modelUpdates.name)(forced);
      const swapErrors = async () =>
        (await metrics.getSingleMetric('risk_scorer_model_swap_errors_total')?.get())?.values.reduce(
          (n, v) => n + v.value,
          0,
        ) ?? 0;
      await waitUntil('the scorer to refuse the corrupt bundle', async () => (await swapErrors()) >= 1);
      expect(scorer.versions()).toEqual(champion);
      await registry.rollback('risk', { reason: 'test: undo the corrupt promotion' });

      await replay('2014-04-01', '2014-06-30');
      await settled('the champion to score segment 2');
      const beforePromotion = await scores();
      expect(new Set(beforePromotion.map((s) => s.modelVersion))).toEqual(new Set([champion.risk]));

      // 4. A challenger the gate passes, promoted while segment 3 is flowing through the scorer.
      gate = { prAucMargin: -1, falseAlarmMargin: 1 };
      // Segment 3 starts as the cycle promotes, so the update lands while the scorer is busy
      // (the cycle itself learned from a fixed history: segments 1 and 2).
      let segment3: Promise<void> = Promise.resolve();
      promotedHook = () => {
        segment3 = replay('2014-07-01', '2014-10-31');
      };
      const promoted = await retrainer.runNow('manual');
      await segment3;
      expect(promoted.outcome, JSON.stringify(promoted.gate?.reasons)).toBe('promoted');
      const next = {
        risk: promoted.challenger?.version as string,
        anomaly: promoted.anomaly?.challenger.version as string,
      };
      // Learned from the topic's retained history: every symbol, bars up to the latest segment.
      expect(promoted.period.samples).toBeGreaterThan(3 * 30);
      expect((await updates()).map((u) => [u.model, u.version])).toEqual([
        ['RISK', bad],
        ['RISK', next.risk],
        ['ANOMALY', next.anomaly],
      ]);
      expect([await registry.current('risk'), await registry.current('anomaly')]).toEqual([
        next.risk,
        next.anomaly,
      ]);
      await waitUntil('the scorer to swap to the promoted pair', () => scorer.versions().risk === next.risk, {
        describe: () => JSON.stringify(scorer.versions()),
      });
      await waitUntil('the anomaly swap', () => scorer.versions().anomaly === next.anomaly, {
        describe: () => JSON.stringify(scorer.versions()),
      });
      await settled('segment 3 to be scored');

      // 5. After the swap: only the new pair scores.
      await replay('2014-11-01', '2014-12-31');
      await settled('segment 4 to be scored');

      const all = await scores();
      const bars = new Map<string, number>();
      for (const r of await readTopic(transport, topics.featuresMarket.name)) {
        const bar = codec.decode('MarketBar', r.value ?? Buffer.alloc(0));
        bars.set(bar.symbol, (bars.get(bar.symbol) ?? 0) + 1);
      }
      // Exactly once: one score per full window of 32 bars, none twice (deterministic key symbol|barTime).
      for (const symbol of SYMBOLS) {
        const n = bars.get(symbol) ?? 0;
        const got = all.filter((s) => s.symbol === symbol);
        expect(got.length, symbol).toBe(n - 32 + 1);
      }
      expect(new Set(all.map(key)).size).toBe(all.length);
      // Each symbol's scores switch version once, in bar order, and never back.
      for (const symbol of SYMBOLS) {
        const versions = all
          .filter((s) => s.symbol === symbol)
          .sort((a, b) => a.barTime - b.barTime)
          .map((s) => s.modelVersion);
        const firstNew = versions.indexOf(next.risk);
        expect(firstNew, symbol).toBeGreaterThan(0);
        expect(new Set(versions.slice(0, firstNew))).toEqual(new Set([champion.risk]));
        expect(new Set(versions.slice(firstNew))).toEqual(new Set([next.risk]));
      }
      const segment4 = all.filter((s) => s.barTime > day('2014-11-01'));
      expect(segment4.length).toBeGreaterThan(3 * 35);
      for (const s of segment4) {
        expect([s.modelVersion, s.anomalyModelVersion]).toEqual([next.risk, next.anomaly]);
      }
      const during = all.filter((s) => s.barTime > day('2014-07-01') && s.barTime <= day('2014-11-01'));
      const duringNew = during.filter((s) => s.modelVersion === next.risk).length;
      console.log(
        `retrainer cycle: ${all.length} scores (segment 3, promoted while it flowed: ${during.length - duringNew} by the champion, ${duringNew} by the challenger); rejected ${rejected.challenger?.version} (fine-tune ${rejected.trainingSeconds.toFixed(1)} s, anomaly ${rejected.anomaly?.trainingSeconds.toFixed(1)} s), promoted ${next.risk} + ${next.anomaly} (PR-AUC ${promoted.champion.metrics.prAuc.toFixed(3)} -> ${promoted.challenger?.metrics.prAuc.toFixed(3)}, anomaly false alarms ${promoted.anomaly?.champion.falseAlarms.rate.toFixed(3)} -> ${promoted.anomaly?.challenger.falseAlarms.rate.toFixed(3)} of ${promoted.anomaly?.challenger.falseAlarms.judged})`,
      );
    } finally {
      await sink.close();
      await retrainer.stop();
      await scorer.stop();
      await ingest.stop();
    }
  }, 240_000);
});
