import { z } from 'zod';

/** features.json: the ordered feature lists the model's input columns correspond to. */
export const featureListsSchema = z.object({
  market: z.array(z.string()),
  macro: z.array(z.string()),
  sentiment: z.array(z.string()),
});
export type FeatureLists = z.infer<typeof featureListsSchema>;

const featureScalingSchema = z
  .object({
    names: z.array(z.string()),
    mean: z.array(z.number()),
    std: z.array(z.number()),
    divideBy: z.array(z.string().nullable()).optional(),
  })
  .refine((s) => s.mean.length === s.names.length && s.std.length === s.names.length, {
    message: 'names, mean and std must have the same length',
  })
  .refine((s) => s.divideBy === undefined || s.divideBy.length === s.names.length, {
    message: 'divideBy must have one entry per feature',
  })
  .refine(
    (s) => (s.divideBy ?? []).every((d, i) => d === null || (d !== s.names[i] && s.names.includes(d))),
    { message: 'divideBy entries must name another feature of the same group' },
  );

/** scaler.json: ScalerParams (services/shared/contracts/scaler.ts). */
export const scalerSchema = z.object({
  market: featureScalingSchema,
  macro: featureScalingSchema,
  sentiment: featureScalingSchema,
  clip: z.number().positive(),
});

export const featureDistributionSchema = z.object({
  group: z.enum(['market', 'macro', 'sentiment']),
  name: z.string(),
  count: z.number(),
  mean: z.number(),
  std: z.number(),
  min: z.number(),
  max: z.number(),
  edges: z.array(z.number()),
  fractions: z.array(z.number()),
});

/** A model output's distribution (same bins as a feature's), e.g. event probabilities on validation. */
export const scoreDistributionSchema = featureDistributionSchema.omit({ group: true });
export type ScoreDistribution = z.infer<typeof scoreDistributionSchema>;

const stylizedFactsSchema = z.object({
  samples: z.number(),
  excessKurtosis: z.number().nullable(),
  returnAcf: z.array(z.number().nullable()),
  absReturnAcf: z.array(z.number().nullable()),
  passed: z.boolean(),
});

/** The retrainer's mutual-information feature selection (docs/retrainer.md). */
export const featureSelectionReportSchema = z.object({
  method: z.string(),
  /** Every candidate feature, highest MI with the event label first. */
  ranking: z.array(
    z.object({
      feature: z.string(),
      mi: z.number(),
      estimator: z.enum(['knn', 'discrete']),
      distinct: z.number(),
    }),
  ),
  baselineValidationPrAuc: z.number().nullable(),
  /** One fine-tuning run per candidate (lowest MI first), with that feature (and earlier drops) masked. */
  trials: z.array(
    z.object({ feature: z.string(), validationPrAuc: z.number().nullable(), dropped: z.boolean() }),
  ),
  /** Masked in this model (weights on them are zero); the feature lists stay the pipeline's. */
  dropped: z.array(z.string()),
});
export type FeatureSelectionReport = z.infer<typeof featureSelectionReportSchema>;

/** The retrainer's GAN augmentation decision and the numbers behind it (docs/retrainer.md). */
export const augmentationReportSchema = z.object({
  used: z.boolean(),
  reason: z.string(),
  validationPrAucWithout: z.number().nullable(),
  validationPrAucWith: z.number().nullable(),
  syntheticSamples: z.number(),
  ganSteps: z.number(),
  ganSeconds: z.number(),
  qualityPassed: z.boolean(),
  qualityReasons: z.array(z.string()),
  discriminativeAccuracy: z.number().nullable(),
  discriminativeAuc: z.number().nullable(),
  tstrAuc: z.number().nullable(),
  trtrAuc: z.number().nullable(),
  realFacts: stylizedFactsSchema.nullable(),
  generatedFacts: stylizedFactsSchema.nullable(),
});
export type AugmentationReport = z.infer<typeof augmentationReportSchema>;

/** metadata.json: what was trained, on what, how, and how well. */
export const bundleMetadataSchema = z.object({
  formatVersion: z.literal(1),
  kind: z.enum(['RISK', 'ANOMALY']),
  version: z.string().min(1),
  /** ISO time the bundle was written. */
  createdAt: z.string(),
  seed: z.number().int(),
  /** L: bars per input sequence the model expects. */
  seqLen: z.number().int().positive(),
  /** Label definition, e.g. { horizon: 5, k: 2 } for the risk model. */
  label: z.record(z.string(), z.number()),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  data: z.object({
    /** ISO times of the first and last bar used. */
    from: z.string(),
    to: z.string(),
    symbols: z.array(z.string()),
    holdoutSymbols: z.array(z.string()),
    /** Split boundaries as ISO times, e.g. validationStart, testStart. */
    boundaries: z.record(z.string(), z.string()),
    /** Samples per split. */
    samples: z.record(z.string(), z.number()),
  }),
  metrics: z.record(z.string(), z.number()),
  code: z.object({ packageVersion: z.string(), gitCommit: z.string().nullable() }),
  /** tfjs backend the model was trained on (results differ slightly between backends). */
  trainedOn: z.string(),
  trainingDistribution: z.array(featureDistributionSchema),
  /** The event head's validation scores, for score drift; absent in bundles written before it. */
  scoreDistribution: scoreDistributionSchema.optional(),
  /** Written by a retrainer cycle with feature selection / augmentation on; absent otherwise. */
  featureSelection: featureSelectionReportSchema.optional(),
  augmentation: augmentationReportSchema.optional(),
});
export type BundleMetadata = z.infer<typeof bundleMetadataSchema>;
