import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANOMALY_BUNDLE_FILE,
  AnomalyBundleError,
  loadAnomalyBundle,
  saveAnomalyBundle,
} from '../../../services/models/anomaly/anomaly-bundle.js';
import { buildAnomalyDataset } from '../../../services/models/anomaly/anomaly-dataset.js';
import { AnomalyModel } from '../../../services/models/anomaly/anomaly-runtime.js';
import {
  DEFAULT_ANOMALY_TRAINING,
  trainAnomalyModel,
} from '../../../services/models/anomaly/anomaly-training.js';
import { ForecasterRuntime } from '../../../services/models/anomaly/forecaster-runtime.js';
import { ensureTfBackend } from '../../../services/models/anomaly/tf-backend.js';
import { writeManifest } from '../../../services/models/bundle/bundle-manifest.js';
import { MARKET_FEATURES } from '../../../services/shared/contracts/feature-lists.js';
import { joinedBars, sequenceBatch } from './anomaly-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'anomaly-bundle-'));
beforeAll(async () => {
  await ensureTfBackend();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bars = joinedBars(['AAA', 'BBB'], 60);
const options = {
  ...DEFAULT_ANOMALY_TRAINING,
  seqLen: 4,
  units: 4,
  epochs: 2,
  trainFraction: 0.75,
  macroNames: ['X.zScore', 'X.change'],
  version: 'anomaly-test-1',
  now: () => 1_800_000_000_000,
};

describe('buildAnomalyDataset', () => {
  it('splits by time for all symbols and fits the scaler on the training bars only', () => {
    const ds = buildAnomalyDataset(bars, {
      seqLen: 4,
      trainFraction: 0.75,
      macroNames: ['X.zScore', 'X.change'],
    });
    expect(ds.train.barTimes.every((t) => t < ds.cut)).toBe(true);
    expect(ds.validation.barTimes.every((t) => t >= ds.cut)).toBe(true);
    expect(ds.train.count + ds.validation.count).toBe(2 * (60 - 4));
    const trainReturns = bars.filter((b) => b.bar.barEnd < ds.cut).map((b) => b.bar.logReturn);
    const mean = trainReturns.reduce((a, b) => a + b, 0) / trainReturns.length;
    expect(ds.scaler.market.mean[0]).toBeCloseTo(mean, 9);
    expect(ds.scaler.market.names).toEqual([...MARKET_FEATURES]);
    expect(ds.train.inputs.length).toBe(ds.train.count * 4 * MARKET_FEATURES.length);
  });
});

describe('trainAnomalyModel and the bundle', () => {
  it('trains, evaluates, saves and loads a model that forecasts the same and scores batches', async () => {
    const trained = await trainAnomalyModel(bars, options);
    expect(trained.losses).toHaveLength(2);
    expect(trained.evaluation.samples).toBe(trained.content.training.validationSamples);
    expect(Number.isFinite(trained.content.metrics.validationMse)).toBe(true);
    expect(trained.content.spec.targetFeatures).toEqual([...MARKET_FEATURES]);

    const files = await saveAnomalyBundle(join(dir, 'b1'), trained.content, trained.model);
    expect(files.map((f) => f.split('/').pop())).toEqual([
      ANOMALY_BUNDLE_FILE,
      'model.json',
      'weights.bin',
      'manifest.json',
    ]);
    const loaded = await loadAnomalyBundle(join(dir, 'b1'));
    expect(loaded.content).toEqual(trained.content);

    const ds = buildAnomalyDataset(bars, { seqLen: 4, trainFraction: 0.75, scaler: trained.content.scaler });
    const n = 6;
    const inputs = ds.validation.inputs.subarray(0, n * 4 * MARKET_FEATURES.length);
    const before = new ForecasterRuntime(trained.model, trained.content.spec).forecast(inputs, n);
    const after = new ForecasterRuntime(loaded.model, loaded.content.spec).forecast(inputs, n);
    expect(Array.from(after)).toEqual(Array.from(before));

    const served = new AnomalyModel(loaded.model, loaded.content);
    const lastBars = bars.filter((b) => b.bar.symbol === 'AAA').slice(-n);
    const scores = lastBars.map((b, i) =>
      served.scoreBatch(
        sequenceBatch(
          inputs.slice(i * 4 * MARKET_FEATURES.length, (i + 1) * 4 * MARKET_FEATURES.length),
          4,
          MARKET_FEATURES.length,
          [b.bar],
        ),
      ),
    );
    expect(scores[0]![0]!.ready).toBe(false);
    expect(scores[1]![0]!.ready).toBe(true);
    expect(() => served.assertCompatible({ seqLen: 5, marketWidth: 6 })).toThrow(/windows of 4 bars/);
    served.dispose();
    trained.model.dispose();
  });

  it('refuses a modified bundle by its checksums, and content that does not validate', async () => {
    const trained = await trainAnomalyModel(bars, { ...options, epochs: 1 });
    await saveAnomalyBundle(join(dir, 'b2'), trained.content, trained.model);
    writeFileSync(
      join(dir, 'b2', ANOMALY_BUNDLE_FILE),
      JSON.stringify({ ...trained.content, formatVersion: 2 }),
    );
    await expect(loadAnomalyBundle(join(dir, 'b2'))).rejects.toThrow(
      /checksum mismatch for .*anomaly-bundle\.json/,
    );
    // Re-sealing the manifest gets past the checksums; the content check still refuses it.
    await writeManifest(join(dir, 'b2'), [ANOMALY_BUNDLE_FILE, 'model.json', 'weights.bin']);
    await expect(loadAnomalyBundle(join(dir, 'b2'))).rejects.toThrow(AnomalyBundleError);
    await expect(loadAnomalyBundle(join(dir, 'missing'))).rejects.toThrow(/bundle file missing/);
    trained.model.dispose();
  });
});
