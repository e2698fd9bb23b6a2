import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ScalerParams } from '../../shared/contracts/scaler.js';
import { BUNDLE_FILES } from '../bundle/bundle-files.js';
import { readVerifiedFiles, type VerifiedBundleFiles, writeManifest } from '../bundle/bundle-manifest.js';
import type { TrackerParams } from './anomaly-tracker.js';
import type { ForecasterSpec } from './forecaster-model.js';

export const ANOMALY_BUNDLE_FORMAT = 'risk-monitor.anomaly-bundle';
export const ANOMALY_BUNDLE_FILE = 'anomaly-bundle.json';
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
/** Listed with their sha256 in manifest.json, the registry's mark of a complete bundle. */
const ANOMALY_REQUIRED_FILES: readonly string[] = [ANOMALY_BUNDLE_FILE, MODEL_FILE, WEIGHTS_FILE];

/**
 * Everything besides the weights that serving needs: the forecaster's shape and feature lists,
 * the scaler the inputs must be scaled with, the tracker (normalisation / smoothing / threshold
 * / likelihood) parameters, evaluation metrics and where the training data came from.
 */
export interface AnomalyBundleContent {
  format: typeof ANOMALY_BUNDLE_FORMAT;
  formatVersion: 1;
  version: string;
  createdAt: number;
  spec: ForecasterSpec;
  scaler: ScalerParams;
  tracker: TrackerParams;
  metrics: Record<string, number>;
  training: {
    dataFrom: number;
    dataTo: number;
    /** Target bars before this time were training samples, the rest validation. */
    cut: number;
    trainSamples: number;
    validationSamples: number;
    epochs: number;
    symbols: string[];
  };
}

const scalingSchema = z.object({
  names: z.array(z.string()),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
const finite = z.number().refine(Number.isFinite, 'must be finite');
const positive = z.number().positive();

/** Parses untrusted bundle JSON once, at the edge. */
export const anomalyBundleContentSchema = z.object({
  format: z.literal(ANOMALY_BUNDLE_FORMAT),
  formatVersion: z.literal(1),
  version: z.string().min(1),
  createdAt: finite,
  spec: z.object({
    seqLen: z.number().int().positive(),
    inputFeatures: z.array(z.string()).min(1),
    targetFeatures: z.array(z.string()).min(1),
    units: z.number().int().positive(),
    residual: z.boolean(),
    seed: z.number().int(),
  }),
  scaler: z.object({ market: scalingSchema, macro: scalingSchema, sentiment: scalingSchema, clip: positive }),
  tracker: z.object({
    normalizer: z.object({
      span: positive,
      warmup: z.number().int().nonnegative(),
      relativeFloor: z.number().nonnegative(),
      absoluteFloor: z.number().nonnegative(),
      winsorZ: positive,
    }),
    smoothingSpan: z.number().min(1),
    threshold: z.object({
      windowSize: z.number().int().min(2),
      minWindow: z.number().int().min(2),
      zMin: finite,
      zMax: finite,
      zStep: positive,
      errorBuffer: z.number().int().nonnegative(),
      maxSequences: z.number().int().nonnegative(),
      maxAnomalousFraction: positive,
      pruneMinDrop: z.number().nonnegative(),
      minEpsilon: z.number().nonnegative(),
      recomputeEvery: z.number().int().positive(),
    }),
    likelihood: z.object({
      learningPeriod: z.number().int().nonnegative(),
      estimationSamples: z.number().int().nonnegative(),
      historicWindow: z.number().int().positive(),
      reestimationPeriod: z.number().int().positive(),
      averagingWindow: z.number().int().positive(),
      minStd: positive,
      red: positive,
      yellow: positive,
    }),
    sharpness: positive,
    ensemble: z.enum(['threshold', 'likelihood', 'mean', 'max']),
    // Optional: bundles written before these existed load with them off (today's behaviour).
    spatialTolerance: z.number().nonnegative().optional(),
    likelihoodInputCap: positive.optional(),
    deduplication: z.object({ level: z.number().gt(0).max(1), rows: z.number().int().min(1) }).optional(),
  }),
  metrics: z.record(z.string(), z.number()),
  training: z.object({
    dataFrom: finite,
    dataTo: finite,
    cut: finite,
    trainSamples: z.number().int().nonnegative(),
    validationSamples: z.number().int().nonnegative(),
    epochs: z.number().int().nonnegative(),
    symbols: z.array(z.string()),
  }),
});

export class AnomalyBundleError extends Error {
  override readonly name = 'AnomalyBundleError';
}

export function parseAnomalyBundleContent(json: unknown, source: string): AnomalyBundleContent {
  const parsed = anomalyBundleContentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AnomalyBundleError(
      `${source}: not an anomaly bundle (${issue?.path.join('.') || '<root>'}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data as AnomalyBundleContent;
}

function joinWeights(data: tf.io.WeightData): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/**
 * Writes the bundle as a directory: anomaly-bundle.json (content), model.json (tfjs topology and
 * weight manifest) and weights.bin. Returns the files written.
 */
export async function saveAnomalyBundle(
  dir: string,
  content: AnomalyBundleContent,
  model: tf.LayersModel,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(content.createdAt), modelTopologyType: 'JSON' } };
    }),
  );
  const saved = artifacts as tf.io.ModelArtifacts | null;
  if (saved === null || saved.weightData === undefined || saved.weightSpecs === undefined) {
    throw new AnomalyBundleError('the model produced no weights to save');
  }
  const files = [join(dir, ANOMALY_BUNDLE_FILE), join(dir, MODEL_FILE), join(dir, WEIGHTS_FILE)];
  writeFileSync(
    files[1] as string,
    JSON.stringify({
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: saved.weightSpecs }],
    }),
  );
  writeFileSync(files[2] as string, joinWeights(saved.weightData));
  writeFileSync(files[0] as string, `${JSON.stringify(content, null, 2)}\n`);
  await writeManifest(dir, ANOMALY_REQUIRED_FILES);
  return [...files, join(dir, BUNDLE_FILES.manifest)];
}

/**
 * Reads a bundle directory written by saveAnomalyBundle: every file is checked against the sha256
 * in manifest.json before anything is parsed, then the content is validated.
 */
export async function loadAnomalyBundle(
  dir: string,
): Promise<{ content: AnomalyBundleContent; model: tf.LayersModel }> {
  let verified: VerifiedBundleFiles;
  try {
    verified = await readVerifiedFiles(dir, ANOMALY_REQUIRED_FILES);
  } catch (err) {
    throw new AnomalyBundleError(`anomaly bundle ${dir} refused: ${(err as Error).message}`);
  }
  const read = (file: string): Buffer => verified.bytes.get(file) as Buffer;
  let contentJson: unknown;
  let modelJson: {
    modelTopology?: object;
    weightsManifest?: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  };
  try {
    contentJson = JSON.parse(read(ANOMALY_BUNDLE_FILE).toString('utf8'));
    modelJson = JSON.parse(read(MODEL_FILE).toString('utf8'));
  } catch (err) {
    if (err instanceof AnomalyBundleError) throw err;
    throw new AnomalyBundleError(`${dir}: bundle JSON is not valid JSON (${(err as Error).message})`);
  }
  const content = parseAnomalyBundleContent(contentJson, join(dir, ANOMALY_BUNDLE_FILE));
  const weights = read(WEIGHTS_FILE);
  if (modelJson.modelTopology === undefined || modelJson.weightsManifest === undefined) {
    throw new AnomalyBundleError(`${join(dir, MODEL_FILE)}: expected modelTopology and weightsManifest`);
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
  );
  const shape = model.inputs[0]?.shape;
  if (shape?.[1] !== content.spec.seqLen || shape?.[2] !== content.spec.inputFeatures.length) {
    model.dispose();
    throw new AnomalyBundleError(
      `${dir}: model input shape ${JSON.stringify(shape)} does not match the spec [null, ${content.spec.seqLen}, ${content.spec.inputFeatures.length}]`,
    );
  }
  return { content, model };
}
