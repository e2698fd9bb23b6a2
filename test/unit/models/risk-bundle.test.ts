import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError } from '../../../services/models/bundle/bundle-error.js';
import { sha256Hex } from '../../../services/models/bundle/bundle-manifest.js';
import { loadRiskBundle, saveRiskBundle } from '../../../services/models/risk/risk-bundle.js';
import { buildRiskDataset, type RiskSplit } from '../../../services/models/risk/risk-dataset.js';
import { predictRiskSplit } from '../../../services/models/risk/risk-evaluation.js';
import { type TrainedRiskModel, trainRiskModel } from '../../../services/models/risk/risk-training.js';
import { tailMeasures } from '../../../services/models/runtime/risk-measures.js';
import { createTfjsRiskRuntime } from '../../../services/models/runtime/tfjs-risk-runtime.js';
import type { SequenceBatch } from '../../../services/shared/contracts/sequence-batch.js';
import {
  DAY_MS,
  SYNTHETIC_FEATURES,
  SYNTHETIC_START,
  syntheticJoinedBars,
} from '../../fixtures/synthetic-joined-bars.js';

const dataset = buildRiskDataset(
  ['AAA', 'BBB'].map((symbol, i) => ({ symbol, bars: syntheticJoinedBars(symbol, 180, i + 21) })),
  {
    seqLen: 6,
    labels: { horizon: 5, k: 2 },
    features: SYNTHETIC_FEATURES,
    split: { validationStart: SYNTHETIC_START + 111 * DAY_MS, testStart: SYNTHETIC_START + 146 * DAY_MS },
  },
);
const code = { packageVersion: '0.1.0', gitCommit: null };
let root: string;
let bundleDir: string;
let trained: TrainedRiskModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
  root = await mkdtemp(join(tmpdir(), 'bundle-test-'));
  bundleDir = join(root, 'risk-test-1');
  trained = await trainRiskModel(dataset, {
    epochs: 1,
    lstmUnits: 4,
    contextUnits: 2,
    denseUnits: 4,
    seed: 3,
  });
  await saveRiskBundle(bundleDir, trained, dataset, { version: 'risk-test-1', createdAt: new Date(0), code });
});
afterAll(async () => {
  trained.model.dispose();
  await rm(root, { recursive: true, force: true });
});

const copyBundle = async (name: string) => {
  const dir = join(root, name);
  await cp(bundleDir, dir, { recursive: true });
  return dir;
};

function batchOf(split: RiskSplit): SequenceBatch {
  return {
    size: split.size,
    seqLen: split.seqLen,
    marketWidth: split.marketWidth,
    macroWidth: split.macroWidth,
    sentimentWidth: split.sentimentWidth,
    market: split.market,
    macro: split.macro,
    sentiment: split.sentiment,
    meta: [],
  };
}

describe('risk bundle', () => {
  it('writes every file with a manifest of sha256 checksums and small weights', async () => {
    const manifest = JSON.parse(await readFile(join(bundleDir, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string; bytes: number }>;
    };
    expect(Object.keys(manifest.files)).toEqual([
      'calibration.json',
      'features.json',
      'metadata.json',
      'model.json',
      'scaler.json',
      'weights.bin',
    ]);
    for (const [name, entry] of Object.entries(manifest.files)) {
      expect(sha256Hex(await readFile(join(bundleDir, name)))).toBe(entry.sha256);
    }
    expect((await stat(join(bundleDir, 'weights.bin'))).size).toBeLessThan(100_000);
    const metadata = JSON.parse(await readFile(join(bundleDir, 'metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({
      kind: 'RISK',
      version: 'risk-test-1',
      seed: 3,
      seqLen: 6,
      label: { horizon: 5, k: 2 },
      code,
      data: { samples: { train: dataset.train.size } },
    });
    expect(metadata.metrics['validation.samples']).toBe(dataset.validation.size);
    expect(metadata.trainingDistribution).toHaveLength(
      SYNTHETIC_FEATURES.market.length +
        SYNTHETIC_FEATURES.macro.length +
        SYNTHETIC_FEATURES.sentiment.length,
    );
  });

  it('loads back a model whose predictions are identical', async () => {
    const bundle = await loadRiskBundle(bundleDir, SYNTHETIC_FEATURES);
    expect(bundle.scaler).toEqual(dataset.scaler);
    expect(bundle.calibration).toEqual(trained.calibration);
    expect(predictRiskSplit(bundle.model, dataset.test)).toEqual(
      predictRiskSplit(trained.model, dataset.test),
    );
    bundle.model.dispose();
  });

  it('serves the bundle through the runtime with VaR and ES from the quantiles', async () => {
    const runtime = createTfjsRiskRuntime(await loadRiskBundle(bundleDir, SYNTHETIC_FEATURES));
    expect(runtime.name).toBe('tfjs-cpu');
    expect(runtime.modelVersion).toBe('risk-test-1');
    const out = await runtime.predict(batchOf(dataset.test));
    const expected = predictRiskSplit(trained.model, dataset.test);
    expect(out.size).toBe(dataset.test.size);
    expect(out.eventProbability).toEqual(expected.event);
    expect(out.volatility).toEqual(expected.vol);
    expect(out.q01).toEqual(expected.q01);
    for (let i = 0; i < out.size; i++) {
      const m = tailMeasures(out.q01[i]!, out.q05[i]!);
      expect(out.var99[i]).toBe(out.q01[i]);
      expect(out.var95[i]).toBe(out.q05[i]);
      expect(out.es99[i]).toBeCloseTo(m.es99, 6);
      expect(out.es95[i]! <= out.var95[i]! && out.es99[i]! <= out.var99[i]!).toBe(true);
    }
    await expect(runtime.predict({ ...batchOf(dataset.test), seqLen: 7 })).rejects.toThrow(
      /batch shape \[L, F, M, S\] = \[7, 7, 4, 5\] does not match model risk-test-1 \[6, 7, 4, 5\]/,
    );
    runtime.dispose();
    await expect(runtime.predict(batchOf(dataset.test))).rejects.toThrow(/disposed/);
  });

  it('explains the event probability by gradient x input, top K by absolute contribution', async () => {
    const runtime = createTfjsRiskRuntime(await loadRiskBundle(bundleDir, SYNTHETIC_FEATURES));
    const batch = batchOf(dataset.test);
    const explained = await runtime.explainEvent(batch, [0, 3], 4);
    expect([...explained.keys()]).toEqual([0, 3]);
    const row0 = explained.get(0)!;
    expect(row0).toHaveLength(4);
    const abs = row0.map((c) => Math.abs(c.contribution));
    expect([...abs].sort((a, b) => b - a)).toEqual(abs);
    // Rows are independent: explaining row 3 alone gives the same answer.
    expect((await runtime.explainEvent(batch, [3], 4)).get(3)).toEqual(explained.get(3));
    // Finite-difference check of the strongest macro/sentiment gradient: contribution / x = dp/dx.
    // (A tiny model has dead ReLUs for some rows, so look at the row with the largest one.)
    const rows = Array.from({ length: Math.min(batch.size, 40) }, (_, i) => i);
    const allFeatures =
      SYNTHETIC_FEATURES.market.length +
      SYNTHETIC_FEATURES.macro.length +
      SYNTHETIC_FEATURES.sentiment.length;
    const explainedAll = await runtime.explainEvent(batch, rows, allFeatures);
    const candidates = rows
      .flatMap((row) =>
        [
          ...SYNTHETIC_FEATURES.macro.map((name, j) => ({ row, name, group: 'macro' as const, j })),
          ...SYNTHETIC_FEATURES.sentiment.map((name, j) => ({ row, name, group: 'sentiment' as const, j })),
        ].map((c) => ({
          ...c,
          contribution: explainedAll.get(row)!.find((a) => a.feature === c.name)!.contribution,
          width: c.group === 'macro' ? batch.macroWidth : batch.sentimentWidth,
        })),
      )
      .filter((c) => Math.abs(batch[c.group][c.row * c.width + c.j]!) > 0.1)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    const pick = candidates[0]!;
    const at = pick.row * pick.width + pick.j;
    const x = batch[pick.group][at]!;
    const eps = 1e-2;
    const bumped = { ...batch, [pick.group]: Float32Array.from(batch[pick.group]) };
    bumped[pick.group][at] = x + eps;
    const p0 = (await runtime.predict(batch)).eventProbability[pick.row]!;
    const p1 = (await runtime.predict(bumped)).eventProbability[pick.row]!;
    const numeric = (p1 - p0) / eps;
    expect(Math.abs(numeric)).toBeGreaterThan(0);
    expect(Math.abs(pick.contribution / x - numeric)).toBeLessThan(0.02 * Math.abs(numeric));
    await expect(runtime.explainEvent(batch, [batch.size], 3)).rejects.toThrow(/outside the batch/);
    runtime.dispose();
  });

  it('refuses a modified file, naming it with the expected and actual hash', async () => {
    const dir = await copyBundle('tampered');
    const scaler = await readFile(join(dir, 'scaler.json'), 'utf8');
    const tampered = scaler.replace('"clip": 5', '"clip": 6');
    await writeFile(join(dir, 'scaler.json'), tampered);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const err = await loadRiskBundle(dir, SYNTHETIC_FEATURES).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('CHECKSUM_MISMATCH');
    expect((err as Error).message).toContain(join(dir, 'scaler.json'));
    expect((err as Error).message).toContain(
      `manifest expects sha256 ${manifest.files['scaler.json'].sha256}`,
    );
    expect((err as Error).message).toContain(`file has ${sha256Hex(tampered)}`);
  });

  it('refuses a bundle trained on other features, listing the differences', async () => {
    const pipeline = {
      ...SYNTHETIC_FEATURES,
      macro: ['VIX.zScore', 'VIX.change', 'RATE.zScore', 'RATE.change'],
      sentiment: [...SYNTHETIC_FEATURES.sentiment].reverse(),
    };
    const err = await loadRiskBundle(bundleDir, pipeline).catch((e: unknown) => e);
    expect((err as BundleError).code).toBe('FEATURE_MISMATCH');
    const message = (err as Error).message;
    expect(message).toContain('not in bundle: RATE.zScore, RATE.change');
    expect(message).toContain('not in pipeline: CPI.zScore, CPI.change');
    expect(message).toContain('sentiment: pipeline [marketIntensity, ');
    expect(message).toContain('same names in a different order');
    expect(message).not.toContain('market: pipeline');
  });

  it('refuses a missing file and never overwrites a bundle', async () => {
    const dir = await copyBundle('incomplete');
    await rm(join(dir, 'weights.bin'));
    await expect(loadRiskBundle(dir, SYNTHETIC_FEATURES)).rejects.toThrow(
      /bundle file missing: .*weights\.bin/,
    );
    await expect(
      saveRiskBundle(bundleDir, trained, dataset, { version: 'risk-test-1', createdAt: new Date(0), code }),
    ).rejects.toThrow(/already exists; bundles are never overwritten/);
  });
});
