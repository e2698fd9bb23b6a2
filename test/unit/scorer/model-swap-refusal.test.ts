import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { startScorer } from '../../../services/scorer/main.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { createCodec } from '../../../services/shared/codec/create-codec.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { DEFAULT_REGISTRY_DIR } from '../../../services/shared/config/models-config.js';
import { createLogger } from '../../../services/shared/logging/logger.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swap-refusal-'));
  await cp(DEFAULT_REGISTRY_DIR, dir, { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scorer model swap', () => {
  it('refuses a corrupt bundle made current, keeps the old models serving and counts the error', async () => {
    const registry = new ModelRegistry(dir);
    const servingRisk = (await registry.current('risk')) as string;
    const servingAnomaly = (await registry.current('anomaly')) as string;
    // A new version whose weights were modified after the manifest was written.
    const bad = 'risk-29990101-000000-corrupt';
    await cp(registry.bundleDir('risk', servingRisk), registry.bundleDir('risk', bad), { recursive: true });
    const weights = join(registry.bundleDir('risk', bad), 'weights.bin');
    const bytes = await readFile(weights);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    await writeFile(weights, bytes);

    const config = loadConfig({ env: {}, overrides: { models: { registryDir: dir, watchPollMs: 60_000 } } });
    const bus = new EmbeddedBus();
    await bus.ensureTopics(Object.values(config.topics));
    const metrics = new Registry();
    const ctx = {
      config,
      transport: bus,
      codec: await createCodec(),
      logger: createLogger('swap-test', { level: 'silent', pretty: 'false' }),
      metrics,
      now: Date.now,
    };
    const scorer = await startScorer(ctx, { registry });
    expect(scorer.versions()).toEqual({ risk: servingRisk, anomaly: servingAnomaly });
    await registry.promote('risk', bad, { reason: 'test: a corrupt bundle' });
    expect(await scorer.reload('test')).toBe(false);
    expect(scorer.versions()).toEqual({ risk: servingRisk, anomaly: servingAnomaly });
    // The registry watch may have tried the new CURRENT too: each refusal is counted.
    const errors = await metrics.getSingleMetric('risk_scorer_model_swap_errors_total')?.get();
    expect(errors?.values.reduce((s, v) => s + v.value, 0)).toBeGreaterThanOrEqual(1);
    await scorer.stop();
    await bus.close();
  }, 60_000);
});
