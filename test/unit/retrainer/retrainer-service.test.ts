import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { type CycleRunner, cycleOptionsFromRequest } from '../../../services/retrainer/cycle-request.js';
import { startRetrainer } from '../../../services/retrainer/main.js';
import { runRetrainCycle } from '../../../services/retrainer/retrain-cycle.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../../services/shared/codec/single-object-codec.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { createLogger } from '../../../services/shared/logging/logger.js';
import { SYNTHETIC_FEATURES } from '../../fixtures/synthetic-joined-bars.js';
import { calmer, series, trainChampion } from './champion-fixture.js';

const codec = new SingleObjectCodec(SchemaCatalog.load());
let root: string;
let registry: ModelRegistry;
let championVersion: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'retrainer-service-'));
  registry = new ModelRegistry(root);
  championVersion = await trainChampion(registry);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function context(nowMs: number, retrainer: Record<string, unknown>) {
  const config = loadConfig({
    env: {},
    overrides: {
      models: { registryDir: root, backend: 'cpu' },
      // Cycles only when a test asks (runNow): no timer fires during a test.
      retrainer: {
        intervalMs: 0,
        driftCheckMs: 2 ** 30,
        epochs: 1,
        recentBars: 150,
        freezeLstm: true,
        ...retrainer,
      },
    },
  });
  const bus = new EmbeddedBus();
  const metrics = new Registry();
  return {
    bus,
    metrics,
    ctx: {
      config,
      transport: bus,
      codec,
      logger: createLogger('retrainer', { level: 'silent' }),
      metrics,
      now: () => nowMs,
    },
  };
}

const data = async () => ({ series: calmer(series(200, 41), 0.5), features: SYNTHETIC_FEATURES });
/** In this thread, with a gate margin no config allows (< 0), so the tiny challenger is promoted. */
const inThread: CycleRunner = (request, progress) =>
  runRetrainCycle(request.data, {
    ...cycleOptionsFromRequest(request, progress),
    gate: { prAucMargin: -1, falseAlarmMargin: 1 },
  });

describe('retrainer service', () => {
  it('runs a cycle, promotes, sends the ModelUpdate on the topic and exports its metrics', async () => {
    const { bus, metrics, ctx } = context(Date.UTC(2024, 6, 1), { prAucMargin: 0 });
    const service = await startRetrainer(ctx, { runCycle: inThread, loadData: data });
    expect(service.ready()).toBe(true);
    const result = await service.runNow('manual');
    const records = await bus.read(ctx.config.topics.modelUpdates.name, 0, 0, 10);
    const text = await metrics.metrics();
    expect(result.outcome).toBe('promoted');
    // Risk and anomaly pointers move together: one record each, risk first.
    expect(records).toHaveLength(2);
    expect(codec.decode('ModelUpdate', records[0]?.value as Buffer).version).toBe(result.challenger?.version);
    expect(codec.decode('ModelUpdate', records[1]?.value as Buffer).version).toBe(
      result.anomaly?.challenger.version,
    );
    expect(text).toContain(`risk_retrainer_champion_info{version="${result.challenger?.version}"} 1`);
    await registry.rollback('risk', { reason: 'test' });
    await registry.rollback('anomaly', { reason: 'test' });
    expect(text).toContain(`risk_retrainer_cycles_total{trigger="manual",outcome="${result.outcome}"} 1`);
    expect(text).toMatch(/risk_retrainer_drift_psi\{feature="market.logReturn"\} \d/);
    expect(text).toContain('risk_retrainer_training_duration_seconds_count 1');
    expect(text).toMatch(/risk_retrainer_champion_age_seconds \d/);
    await service.stop();
    await bus.close();
  });

  it('runs the cycle in a worker thread and counts a failure without touching CURRENT', async () => {
    const { bus, metrics, ctx } = context(Date.UTC(2024, 6, 2), { prAucMargin: 1 });
    const service = await startRetrainer(ctx, { loadData: data });
    const result = await service.runNow('manual');
    expect(result.outcome).toBe('rejected');
    expect(result.challenger?.version).toMatch(/^risk-20240702-000000-/);
    expect(await registry.versions('risk')).toContain(result.challenger?.version);
    expect(await registry.current('risk')).toBe(championVersion);

    const other = context(Date.UTC(2024, 6, 3), {});
    const broken = await startRetrainer(other.ctx, {
      loadData: async () => ({ series: series(20, 41), features: SYNTHETIC_FEATURES }),
    });
    await expect(broken.runNow('manual')).rejects.toThrow(/need at least|has no|no labelled samples/);
    expect(await other.metrics.metrics()).toContain(
      'risk_retrainer_cycles_total{trigger="manual",outcome="failed"} 1',
    );
    expect(await metrics.metrics()).toContain(
      'risk_retrainer_cycles_total{trigger="manual",outcome="rejected"} 1',
    );
    expect(await registry.current('risk')).toBe(championVersion);
    await broken.stop();
    await service.stop();
    await bus.close();
    await other.bus.close();
  });
});
