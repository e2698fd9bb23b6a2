import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { ScalerParams } from '../../shared/contracts/scaler.js';
import { BundleError } from './bundle-error.js';
import { BUNDLE_FILES, REQUIRED_BUNDLE_FILES } from './bundle-files.js';
import { readVerifiedFiles, writeManifest } from './bundle-manifest.js';
import {
  type BundleMetadata,
  bundleMetadataSchema,
  type FeatureLists,
  featureListsSchema,
  scalerSchema,
} from './bundle-schemas.js';
import { assertSameFeatures, featureListDifferences } from './feature-list-check.js';
import { bytesLoadHandler, fileSaveHandler } from './tfjs-file-io.js';

/** Everything a model bundle holds; calibration is model-specific JSON. */
export interface ModelBundleContents<C> {
  model: tf.LayersModel;
  scaler: ScalerParams;
  features: FeatureLists;
  calibration: C;
  metadata: BundleMetadata;
}

export interface LoadedModelBundle<C> extends ModelBundleContents<C> {
  dir: string;
  /** sha256 of manifest.json: identifies the exact bundle. */
  manifestSha256: string;
}

export interface LoadBundleOptions<C> {
  /** The running pipeline's feature lists; null skips the check (inspection tools only). */
  expectedFeatures: FeatureLists | null;
  /** Validates calibration.json; throw to reject it. */
  parseCalibration: (json: unknown) => C;
  expectedKind?: BundleMetadata['kind'];
}

/**
 * Writes a bundle into `dir`, which must not exist yet (a bundle is immutable once written):
 * model.json + weights.bin, scaler.json, features.json, calibration.json, metadata.json and
 * manifest.json with the sha256 of each. Returns the manifest's sha256.
 */
export async function saveModelBundle<C>(dir: string, contents: ModelBundleContents<C>): Promise<string> {
  const scalerFeatures = {
    market: contents.scaler.market.names,
    macro: contents.scaler.macro.names,
    sentiment: contents.scaler.sentiment.names,
  };
  const diffs = featureListDifferences(contents.features, scalerFeatures);
  if (diffs.length > 0) {
    throw new BundleError('INVALID_FILE', `scaler and feature lists disagree:\n  ${diffs.join('\n  ')}`);
  }
  bundleMetadataSchema.parse(contents.metadata);
  await mkdir(dirname(dir), { recursive: true });
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BundleError(
        'BUNDLE_EXISTS',
        `bundle directory ${dir} already exists; bundles are never overwritten`,
      );
    }
    throw err;
  }
  await contents.model.save(fileSaveHandler(dir));
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFile(join(dir, BUNDLE_FILES.scaler), json(contents.scaler));
  await writeFile(join(dir, BUNDLE_FILES.features), json(contents.features));
  await writeFile(join(dir, BUNDLE_FILES.calibration), json(contents.calibration));
  await writeFile(join(dir, BUNDLE_FILES.metadata), json(contents.metadata));
  return writeManifest(dir, REQUIRED_BUNDLE_FILES);
}

/**
 * Loads a bundle for serving: verifies every file against the manifest, parses and validates the
 * JSON files, checks the feature lists against the pipeline's, then builds the tfjs model from the
 * verified bytes. Never trains; any problem is a BundleError with a stable code.
 */
export async function loadModelBundle<C>(
  dir: string,
  options: LoadBundleOptions<C>,
): Promise<LoadedModelBundle<C>> {
  const { manifestSha256, bytes } = await readVerifiedFiles(dir, REQUIRED_BUNDLE_FILES);
  const metadata = parseJsonFile(dir, BUNDLE_FILES.metadata, bytes, bundleMetadataSchema);
  if (options.expectedKind && metadata.kind !== options.expectedKind) {
    throw new BundleError(
      'INVALID_FILE',
      `bundle ${dir} holds a ${metadata.kind} model, expected ${options.expectedKind}`,
    );
  }
  const features = parseJsonFile(dir, BUNDLE_FILES.features, bytes, featureListsSchema);
  if (options.expectedFeatures) assertSameFeatures(options.expectedFeatures, features, metadata.version);
  const scaler = parseJsonFile(dir, BUNDLE_FILES.scaler, bytes, scalerSchema);
  let calibration: C;
  try {
    calibration = options.parseCalibration(
      JSON.parse((bytes.get(BUNDLE_FILES.calibration) as Buffer).toString('utf8')),
    );
  } catch (err) {
    throw new BundleError(
      'INVALID_FILE',
      `${join(dir, BUNDLE_FILES.calibration)} is invalid: ${(err as Error).message}`,
    );
  }
  const model = await tf.loadLayersModel(
    bytesLoadHandler(bytes.get(BUNDLE_FILES.model) as Buffer, bytes.get(BUNDLE_FILES.weights) as Buffer),
  );
  return { dir, manifestSha256, model, scaler, features, calibration, metadata };
}

function parseJsonFile<S extends z.ZodType>(
  dir: string,
  name: string,
  bytes: Map<string, Buffer>,
  schema: S,
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse((bytes.get(name) as Buffer).toString('utf8'));
  } catch (err) {
    throw new BundleError('INVALID_FILE', `${join(dir, name)} is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BundleError('INVALID_FILE', `${join(dir, name)} is invalid: ${issues}`);
  }
  return parsed.data;
}
