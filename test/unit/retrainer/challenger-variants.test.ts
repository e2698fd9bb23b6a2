import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleMetadata, bundleMetadataSchema } from '../../../services/models/bundle/bundle-schemas.js';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import type { ChallengerVariantOptions } from '../../../services/retrainer/challenger-variants.js';
import { runRetrainCycle } from '../../../services/retrainer/retrain-cycle.js';
import { SYNTHETIC_FEATURES } from '../../fixtures/synthetic-joined-bars.js';
import { code, series, trainChampion } from './champion-fixture.js';

let root: string;
let registry: ModelRegistry;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'retrain-variants-'));
  registry = new ModelRegistry(root);
  await trainChampion(registry);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Tiny sizes; quality gates wide open so the cycle reaches the with/without PR-AUC comparison. */
const variants: ChallengerVariantOptions = {
  featureSelection: { mode: 'auto', candidates: 1, neighbours: 3, seed: 1 },
  augmentation: {
    mode: 'auto',
    settings: {
      gan: { steps: 8, batchSize: 16, units: 4, noiseDim: 2, context: 4 },
      syntheticRatio: 1,
      factPaths: 4,
      factBars: 40,
      thresholds: { requireStylizedFacts: false, maxDiscriminativeAccuracy: 1, minTstrAuc: 0 },
      seed: 2,
    },
  },
};

describe('retrain cycle with feature selection and GAN augmentation', () => {
  it('writes the MI report and the augmentation decision with its numbers into the bundle metadata', async () => {
    const result = await runRetrainCycle(
      { series: series(200, 61), features: SYNTHETIC_FEATURES },
      {
        registry,
        trigger: 'manual',
        requireDrift: false,
        fineTune: { epochs: 1, learningRate: 1e-4, batchSize: 64, patience: 1, seed: 3, freezeLstm: true },
        split: { validationFraction: 0.2, evaluationFraction: 0.25 },
        recentBars: 150,
        gate: { prAucMargin: 1, falseAlarmMargin: 0.01 },
        drift: { warn: 0.1, retrain: 0.25 },
        now: () => new Date(Date.UTC(2024, 6, 1)),
        code,
        variants,
      },
    );
    expect(result.outcome).toBe('rejected');
    const meta = bundleMetadataSchema.parse(
      JSON.parse(await readFile(join(result.challenger?.bundleDir as string, 'metadata.json'), 'utf8')),
    ) as BundleMetadata;

    const fs = meta.featureSelection;
    expect(fs?.ranking).toHaveLength(
      SYNTHETIC_FEATURES.market.length +
        SYNTHETIC_FEATURES.macro.length +
        SYNTHETIC_FEATURES.sentiment.length,
    );
    const mis = fs?.ranking.map((r) => r.mi) ?? [];
    expect(mis).toEqual([...mis].sort((a, b) => b - a));
    // imbalance is 0 on every synthetic bar: discrete estimator, MI 0, the first candidate to drop.
    expect(fs?.ranking.find((r) => r.feature === 'market.imbalance')).toMatchObject({
      estimator: 'discrete',
      distinct: 1,
      mi: 0,
    });
    expect(fs?.trials).toHaveLength(1);
    const trial = fs?.trials[0];
    expect(trial?.feature).toBe(fs?.ranking.at(-1)?.feature);
    if (trial?.dropped) {
      expect(trial.validationPrAuc).toBeGreaterThanOrEqual(fs?.baselineValidationPrAuc as number);
      expect(fs?.dropped).toEqual([trial.feature]);
    } else expect(fs?.dropped).toEqual([]);
    expect(meta.hyperparameters.droppedFeatures).toBe(fs?.dropped.join(','));

    const a = meta.augmentation;
    expect(a?.qualityPassed).toBe(true);
    expect(a?.ganSteps).toBe(8);
    expect(a?.discriminativeAccuracy).toBeGreaterThanOrEqual(0);
    expect(a?.generatedFacts?.absReturnAcf).toHaveLength(10);
    expect(a?.realFacts?.samples).toBeGreaterThan(0);
    expect(a?.validationPrAucWith).not.toBeNull();
    expect(a?.used).toBe((a?.validationPrAucWith as number) > (a?.validationPrAucWithout as number));
    expect(meta.hyperparameters.augmentationDecision).toBe(a?.reason);
    expect(a?.reason).toMatch(a?.used ? /^used: / : /^not used: /);
    expect(meta.metrics['augmentation.used']).toBe(a?.used ? 1 : 0);
    expect(result.variants?.augmentation).toEqual(a);
  });
});
