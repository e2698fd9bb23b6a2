import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { BundleError } from '../bundle/bundle-error.js';
import type { BundleMetadata, FeatureLists } from '../bundle/bundle-schemas.js';
import type { CodeVersion } from '../bundle/code-version.js';
import { type LoadedModelBundle, loadModelBundle, saveModelBundle } from '../bundle/model-bundle.js';
import type { RiskCalibration } from './risk-calibration.js';
import type { RiskDataset } from './risk-dataset.js';
import { flattenMetrics } from './risk-evaluation.js';
import type { TrainedRiskModel } from './risk-training.js';

const severity = z.enum(['INFO', 'WARNING', 'CRITICAL']);

/** calibration.json of a risk bundle (see risk-calibration.ts). */
export const riskCalibrationSchema = z.object({
  eventThresholds: z
    .array(
      z.object({
        severity,
        enter: z.number().min(0).max(1),
        exit: z.number().min(0).max(1),
        rule: z.enum(['precision', 'top-fraction', 'monotone']),
        validationPrecision: z.number(),
        validationRecall: z.number(),
        validationFlaggedRate: z.number(),
      }),
    )
    .refine((t) => t.map((x) => x.severity).join() === 'INFO,WARNING,CRITICAL', {
      message: 'eventThresholds must be INFO, WARNING, CRITICAL in that order',
    })
    .refine((t) => t.every((x, i) => i === 0 || x.enter >= (t[i - 1]?.enter ?? 0)), {
      message: 'enter levels must not decrease with severity',
    }),
  hysteresis: z.number().gt(0).max(1),
  fittedOn: z.literal('validation'),
  validationSize: z.number().int(),
  validationPositives: z.number().int(),
});

export type RiskBundle = LoadedModelBundle<RiskCalibration>;

/** metadata.json of a freshly trained risk model. */
export function riskBundleMetadata(
  trained: TrainedRiskModel,
  dataset: RiskDataset,
  version: string,
  createdAt: Date,
  code: CodeVersion,
): BundleMetadata {
  const iso = (t: number) => new Date(t).toISOString();
  const { options, spec } = trained;
  return {
    formatVersion: 1,
    kind: 'RISK',
    version,
    createdAt: createdAt.toISOString(),
    seed: options.seed,
    seqLen: spec.seqLen,
    label: { horizon: dataset.labels.horizon, k: dataset.labels.k },
    hyperparameters: {
      lstmUnits: spec.lstmUnits,
      contextUnits: spec.contextUnits,
      denseUnits: spec.denseUnits,
      dropout: spec.dropout,
      contextDropout: spec.contextDropout,
      l2: spec.l2,
      epochs: options.epochs,
      epochsRun: trained.epochsRun,
      bestEpoch: trained.bestEpoch,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      patience: options.patience,
      clipNorm: options.clipNorm,
      positiveWeight: trained.positiveWeight,
      positiveWeightCap: options.positiveWeightCap,
      returnScale: trained.returnScale,
      lossWeightEvent: options.lossWeights.event,
      lossWeightVol: options.lossWeights.vol,
      lossWeightQuantiles: options.lossWeights.quantiles,
      scalerClip: dataset.scaler.clip,
    },
    data: {
      from: iso(dataset.dataRange.from),
      to: iso(dataset.dataRange.to),
      symbols: dataset.symbols,
      holdoutSymbols: dataset.holdoutSymbols,
      boundaries: {
        validationStart: iso(dataset.boundaries.validationStart),
        testStart: iso(dataset.boundaries.testStart),
      },
      samples: {
        train: dataset.train.size,
        validation: dataset.validation.size,
        test: dataset.test.size,
        holdout: dataset.holdout.size,
      },
    },
    metrics: {
      ...flattenMetrics('validation', trained.evaluation.validation),
      ...flattenMetrics('test', trained.evaluation.test),
      ...(trained.evaluation.holdout ? flattenMetrics('holdout', trained.evaluation.holdout) : {}),
    },
    code,
    trainedOn: trained.backend,
    trainingDistribution: dataset.trainingDistribution,
    scoreDistribution: trained.scoreDistribution,
  };
}

/** Writes a trained risk model as a bundle into `dir` (which must not exist); returns the manifest sha256. */
export async function saveRiskBundle(
  dir: string,
  trained: TrainedRiskModel,
  dataset: RiskDataset,
  meta: { version: string; createdAt: Date; code: CodeVersion },
): Promise<string> {
  return saveModelBundle(dir, {
    model: trained.model,
    scaler: dataset.scaler,
    features: {
      market: [...dataset.features.market],
      macro: [...dataset.features.macro],
      sentiment: [...dataset.features.sentiment],
    },
    calibration: trained.calibration,
    metadata: riskBundleMetadata(trained, dataset, meta.version, meta.createdAt, meta.code),
  });
}

/**
 * Loads a risk bundle for serving: checksums, feature lists against the pipeline's (pass null only
 * for inspection), calibration, and the model's input/output shapes against seqLen and the lists.
 */
export async function loadRiskBundle(
  dir: string,
  expectedFeatures: FeatureLists | null,
): Promise<RiskBundle> {
  const bundle = await loadModelBundle(dir, {
    expectedFeatures,
    expectedKind: 'RISK',
    parseCalibration: (json) => riskCalibrationSchema.parse(json),
  });
  try {
    assertRiskShapes(bundle.model, bundle.metadata.seqLen, bundle.features);
  } catch (err) {
    bundle.model.dispose();
    throw err;
  }
  return bundle;
}

function assertRiskShapes(model: tf.LayersModel, seqLen: number, features: FeatureLists): void {
  const want = [
    [null, seqLen, features.market.length],
    [null, features.macro.length],
    [null, features.sentiment.length],
  ];
  const have = model.inputs.map((i) => i.shape);
  const outputs = model.outputs.map((o) => o.shape);
  const wantOutputs = [
    [null, 1],
    [null, 1],
    [null, 2],
  ];
  if (
    JSON.stringify(have) !== JSON.stringify(want) ||
    JSON.stringify(outputs) !== JSON.stringify(wantOutputs)
  ) {
    throw new BundleError(
      'SHAPE_MISMATCH',
      `risk model shapes do not match its metadata: inputs ${JSON.stringify(have)} (expected ${JSON.stringify(want)}), outputs ${JSON.stringify(outputs)} (expected ${JSON.stringify(wantOutputs)})`,
    );
  }
}
