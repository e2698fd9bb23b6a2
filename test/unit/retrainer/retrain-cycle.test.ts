import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { loadRiskBundle } from '../../../services/models/risk/risk-bundle.js';
import { buildRiskDataset } from '../../../services/models/risk/risk-dataset.js';
import { loadServingRiskModel } from '../../../services/models/runtime/load-risk-runtime.js';
import { modelUpdateSender } from '../../../services/retrainer/model-update-sender.js';
import { type RetrainCycleOptions, runRetrainCycle } from '../../../services/retrainer/retrain-cycle.js';
import { recentSeries } from '../../../services/retrainer/retrain-data.js';
import { promotePairVerified, promoteVerified } from '../../../services/retrainer/verified-promotion.js';
import { loadScoringModels } from '../../../services/scorer/bundle-scoring-models.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../../services/shared/codec/single-object-codec.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { DAY_MS, SYNTHETIC_FEATURES } from '../../fixtures/synthetic-joined-bars.js';
import { calmer, code, series, trainChampion } from './champion-fixture.js';

const codec = new SingleObjectCodec(SchemaCatalog.load());

let root: string;
let registry: ModelRegistry;
let championVersion: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'retrain-cycle-'));
  registry = new ModelRegistry(root);
  championVersion = await trainChampion(registry);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cycleOptions = (over: Partial<RetrainCycleOptions>): RetrainCycleOptions => ({
  registry,
  trigger: 'manual',
  requireDrift: false,
  fineTune: { epochs: 1, learningRate: 1e-4, batchSize: 64, patience: 1, seed: 3, freezeLstm: true },
  split: { validationFraction: 0.2, evaluationFraction: 0.25 },
  recentBars: 150,
  gate: { prAucMargin: 0.005, falseAlarmMargin: 0.01 },
  drift: { warn: 0.1, retrain: 0.25 },
  now: () => new Date(Date.UTC(2024, 5, 1, 0, 0, 0)),
  code,
  ...over,
});

describe('recent data for a cycle', () => {
  it('keeps only closed bars and never labels a bar whose horizon has not passed', () => {
    const all = series(120, 11);
    const asOf = (all[0]?.bars[99]?.bar.barEnd as number) + 1;
    const recent = recentSeries(all, 80, asOf);
    for (const s of recent) {
      expect(s.bars).toHaveLength(80);
      expect(s.bars.at(-1)?.bar.barEnd).toBeLessThanOrEqual(asOf);
    }
    const dataset = buildRiskDataset(recent, {
      seqLen: 6,
      labels: { horizon: 5, k: 2 },
      features: SYNTHETIC_FEATURES,
      split: { trainFraction: 0.6, validationFraction: 0.2 },
    });
    const lastLabelled = Math.max(...dataset.test.barTimes);
    // Bar 99 is the last closed one: bars 95..99 still have horizon bars ahead of them.
    expect(lastLabelled).toBe(all[0]?.bars[94]?.bar.barEnd);
    expect(lastLabelled + 5 * DAY_MS).toBeLessThanOrEqual(asOf);
  });
});

describe('retrain cycle', () => {
  it('fine-tunes the champion, gates it, publishes it and on promotion moves CURRENT and sends a ModelUpdate', async () => {
    const bus = new EmbeddedBus();
    await bus.ensureTopics([{ name: 'risk.model-updates', partitions: 1 }]);
    const sink = bus.sink();
    const data = { series: calmer(series(200, 41), 0.5), features: SYNTHETIC_FEATURES };
    const progress: string[] = [];

    // A margin no challenger can beat: published with its numbers, not promoted.
    const rejected = await runRetrainCycle(
      data,
      cycleOptions({
        gate: { prAucMargin: 1, falseAlarmMargin: 0.01 },
        progress: (e) => progress.push(e.kind),
      }),
    );
    expect(rejected.outcome).toBe('rejected');
    expect(rejected.champion.version).toBe(championVersion);
    expect(rejected.challenger?.version).toBe('risk-20240601-000000-abcdef0');
    expect(rejected.update).toBeNull();
    expect(rejected.gate?.reasons.join()).toMatch(/margin 1.0000/);
    expect(progress).toContain('done');
    expect(await registry.current('risk')).toBe(championVersion);
    const meta = JSON.parse(
      await readFile(join(rejected.challenger?.bundleDir as string, 'metadata.json'), 'utf8'),
    ) as { hyperparameters: Record<string, unknown>; metrics: Record<string, number> };
    expect(meta.hyperparameters).toMatchObject({
      warmStartFrom: championVersion,
      frozenLayers: 'market_lstm',
    });
    expect(meta.hyperparameters.gateDecision).toMatch(/^reject: /);
    expect(meta.metrics['gate.promote']).toBe(0);
    expect(meta.metrics['gate.challengerPrAuc']).toBeCloseTo(rejected.challenger?.metrics.prAuc as number, 6);

    // A margin every challenger beats (and a VaR99 check the numbers decide): promoted.
    const accepted = await runRetrainCycle(
      data,
      cycleOptions({
        gate: { prAucMargin: -1, falseAlarmMargin: 0.01 },
        now: () => new Date(Date.UTC(2024, 5, 2, 0, 0, 0)),
        sendUpdate: modelUpdateSender(sink, codec, 'risk.model-updates'),
      }),
    );
    expect(accepted.challenger?.var99).toMatchObject({ samples: 99, green: true });
    expect(accepted.outcome).toBe('promoted');
    expect(await registry.current('risk')).toBe('risk-20240602-000000-abcdef0');
    expect(accepted.update).toMatchObject({
      model: 'RISK',
      action: 'PROMOTE',
      previousVersion: championVersion,
    });
    const records = await bus.read('risk.model-updates', 0, 0, 10);
    expect(records).toHaveLength(1);
    expect(codec.decode('ModelUpdate', records[0]?.value as Buffer)).toEqual(accepted.update);
    // The promoted challenger serves with the champion's scaler (the anomaly model shares it).
    const serving = await loadServingRiskModel(registry, SYNTHETIC_FEATURES);
    expect(serving.runtime.modelVersion).toBe('risk-20240602-000000-abcdef0');
    const championBundle = await loadRiskBundle(registry.bundleDir('risk', championVersion), null);
    expect(serving.scaler).toEqual(championBundle.scaler);
    championBundle.model.dispose();
    serving.runtime.dispose();
    await registry.rollback('risk', { reason: 'test' });
    expect(await registry.current('risk')).toBe(championVersion);
    await bus.close();
  });

  it('refuses to promote a corrupt challenger bundle; the champion keeps serving', async () => {
    const result = await runRetrainCycle(
      { series: series(200, 51), features: SYNTHETIC_FEATURES },
      cycleOptions({
        gate: { prAucMargin: 1, falseAlarmMargin: 0.01 },
        now: () => new Date(Date.UTC(2024, 5, 3)),
      }),
    );
    const version = result.challenger?.version as string;
    const weights = join(registry.bundleDir('risk', version), 'weights.bin');
    const bytes = await readFile(weights);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    await writeFile(weights, bytes);
    await expect(
      promoteVerified(registry, 'risk', version, SYNTHETIC_FEATURES, { reason: 'test' }),
    ).rejects.toThrow(/checksum mismatch for .*weights\.bin/);
    expect(await registry.current('risk')).toBe(championVersion);
    const serving = await loadServingRiskModel(registry, SYNTHETIC_FEATURES);
    expect(serving.runtime.modelVersion).toBe(championVersion);
    serving.runtime.dispose();
  });

  it('a full cycle trains the champion architecture from fresh weights on the whole history, gated on the same period', async () => {
    const data = { series: series(260, 61), features: SYNTHETIC_FEATURES };
    const gate = { prAucMargin: 1, falseAlarmMargin: 0.01 };
    const at = () => new Date(Date.UTC(2024, 6, 14));
    const fine = await runRetrainCycle(data, cycleOptions({ gate, now: at }));
    const full = await runRetrainCycle(
      data,
      cycleOptions({
        gate,
        now: () => new Date(Date.UTC(2024, 6, 15)),
        kind: 'full',
        full: { epochs: 1, learningRate: 1e-3, patience: 1 },
      }),
    );
    expect(fine.kind).toBe('fine-tune');
    expect(full.kind).toBe('full');
    // The same held-out recent period for both kinds, so the gate compares like with like.
    expect(full.period).toEqual(fine.period);
    expect(full.champion.metrics).toEqual(fine.champion.metrics);
    const meta = JSON.parse(
      await readFile(join(full.challenger?.bundleDir as string, 'metadata.json'), 'utf8'),
    ) as {
      hyperparameters: Record<string, unknown>;
      data: { samples: { train: number } };
    };
    expect(meta.hyperparameters).toMatchObject({
      retrainKind: 'full',
      warmStartFrom: '',
      challengerOf: championVersion,
      frozenLayers: '',
    });
    const fineMeta = JSON.parse(
      await readFile(join(fine.challenger?.bundleDir as string, 'metadata.json'), 'utf8'),
    ) as { data: { samples: { train: number } } };
    // Whole history (260 bars) against the 150 most recent ones.
    expect(meta.data.samples.train).toBeGreaterThan(fineMeta.data.samples.train);
    // Fresh weights, the champion's scaler: the pair with the anomaly model stays valid.
    const challenger = await loadRiskBundle(full.challenger?.bundleDir as string, null);
    const champ = await loadRiskBundle(registry.bundleDir('risk', championVersion), null);
    expect(challenger.scaler).toEqual(champ.scaler);
    challenger.model.dispose();
    champ.model.dispose();
    expect(await registry.current('risk')).toBe(championVersion);
  });

  it('stops at the drift check when drift is required and the inputs did not move', async () => {
    const result = await runRetrainCycle(
      { series: series(200, 31), features: SYNTHETIC_FEATURES },
      cycleOptions({ requireDrift: true, trigger: 'drift', drift: { warn: 50, retrain: 100 } }),
    );
    expect(result.outcome).toBe('no-drift');
    expect(result.challenger).toBeNull();
    expect(result.drift.features.length).toBeGreaterThan(0);
    expect(result.drift.score).not.toBeNull();
  });
});

describe('retrain cycle with the anomaly forecaster', () => {
  const anomalyFineTune = { epochs: 1, learningRate: 3e-4, batchSize: 64, seed: 3 };
  const data = () => ({ series: calmer(series(200, 41), 0.5), features: SYNTHETIC_FEATURES });

  it('fine-tunes both, gates the false-alarm rate and on promotion switches both pointers to a pair the scorer serves', async () => {
    const bus = new EmbeddedBus();
    await bus.ensureTopics([{ name: 'risk.model-updates', partitions: 1 }]);
    const championAnomaly = (await registry.current('anomaly')) as string;
    const result = await runRetrainCycle(
      data(),
      cycleOptions({
        anomalyFineTune,
        gate: { prAucMargin: -1, falseAlarmMargin: 1 },
        now: () => new Date(Date.UTC(2024, 5, 4)),
        sendUpdate: modelUpdateSender(bus.sink(), codec, 'risk.model-updates'),
      }),
    );
    expect(result.outcome).toBe('promoted');
    const anomaly = result.anomaly;
    expect(anomaly?.champion.version).toBe(championAnomaly);
    expect(anomaly?.challenger.version).toBe('anomaly-20240604-000000-abcdef0');
    // Judged on the same period as the risk model, with a warm threshold: every period row counts.
    expect(anomaly?.challenger.falseAlarms.judged).toBeGreaterThan(0);
    expect(anomaly?.champion.falseAlarms.judged).toBe(anomaly?.challenger.falseAlarms.judged);
    const check = result.gate?.checks.find((c) => c.name === 'anomaly-false-alarms');
    expect(check?.reason).toMatch(/anomaly false-alarm rate .* rise .* margin 1\.0000/);
    expect(result.gate?.numbers['gate.challengerFalseAlarmRate']).toBe(anomaly?.challenger.falseAlarms.rate);

    expect(await registry.current('risk')).toBe('risk-20240604-000000-abcdef0');
    expect(await registry.current('anomaly')).toBe('anomaly-20240604-000000-abcdef0');
    expect(result.updates.map((u) => [u.model, u.version])).toEqual([
      ['RISK', 'risk-20240604-000000-abcdef0'],
      ['ANOMALY', 'anomaly-20240604-000000-abcdef0'],
    ]);
    const sent = (await bus.read('risk.model-updates', 0, 0, 10)).map((r) =>
      codec.decode('ModelUpdate', r.value as Buffer),
    );
    expect(sent).toEqual(result.updates);
    const content = JSON.parse(
      await readFile(join(anomaly?.challenger.bundleDir as string, 'anomaly-bundle.json'), 'utf8'),
    ) as { metrics: Record<string, number>; training: { cut: number } };
    expect(content.metrics['period.falseAlarmRate']).toBe(anomaly?.challenger.falseAlarms.rate);
    expect(content.training.cut).toBe(result.period.from);
    // The scorer's own loader accepts the new pair (same window, same scaler).
    const loaded = await loadScoringModels(registry, SYNTHETIC_FEATURES, loadConfig({ env: {} }).scorer);
    expect([loaded.models.riskVersion, loaded.models.anomalyVersion]).toEqual([
      'risk-20240604-000000-abcdef0',
      'anomaly-20240604-000000-abcdef0',
    ]);
    loaded.models.dispose();
    await registry.rollback('risk', { reason: 'test' });
    await registry.rollback('anomaly', { reason: 'test' });
    expect(await registry.current('anomaly')).toBe(championAnomaly);
    await bus.close();
  });

  it('rejects a challenger whose anomaly false-alarm rate rises past the margin; neither pointer moves', async () => {
    const before = { risk: await registry.current('risk'), anomaly: await registry.current('anomaly') };
    // A negative margin no rate can meet: the risk side alone would be promoted (margin -1).
    const result = await runRetrainCycle(
      data(),
      cycleOptions({
        anomalyFineTune,
        gate: { prAucMargin: -1, falseAlarmMargin: -1 },
        now: () => new Date(Date.UTC(2024, 5, 5)),
      }),
    );
    expect(result.outcome).toBe('rejected');
    expect(result.gate?.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['anomaly-false-alarms']);
    expect(result.updates).toEqual([]);
    expect({ risk: await registry.current('risk'), anomaly: await registry.current('anomaly') }).toEqual(
      before,
    );
    // Kept with its numbers.
    expect(await registry.versions('anomaly')).toContain('anomaly-20240605-000000-abcdef0');

    // Promoting that pair by hand with the anomaly bundle corrupted: refused before either pointer moves.
    const weights = join(registry.bundleDir('anomaly', 'anomaly-20240605-000000-abcdef0'), 'weights.bin');
    const bytes = await readFile(weights);
    bytes[3] = (bytes[3] as number) ^ 0xff;
    await writeFile(weights, bytes);
    await expect(
      promotePairVerified(
        registry,
        { risk: result.challenger?.version as string, anomaly: 'anomaly-20240605-000000-abcdef0' },
        SYNTHETIC_FEATURES,
        { reason: 'test' },
      ),
    ).rejects.toThrow(/checksum mismatch for .*weights\.bin/);
    expect({ risk: await registry.current('risk'), anomaly: await registry.current('anomaly') }).toEqual(
      before,
    );
  });
});
