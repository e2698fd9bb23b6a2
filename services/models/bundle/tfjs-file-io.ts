import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BundleError } from './bundle-error.js';
import { BUNDLE_FILES } from './bundle-files.js';

/**
 * tf.io handlers for model.json + weights.bin on the local filesystem. tfjs' own file:// handler
 * lives in tfjs-node, which is optional; these need only node:fs.
 */

/** Writes model.json (topology + weights manifest) and one weights.bin into an existing directory. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology === undefined || artifacts.weightSpecs === undefined) {
        throw new BundleError(
          'INVALID_FILE',
          'tfjs produced model artifacts without topology or weight specs',
        );
      }
      const weights =
        artifacts.weightData === undefined ? new ArrayBuffer(0) : joinWeightData(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [BUNDLE_FILES.weights], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, BUNDLE_FILES.model), `${JSON.stringify(modelJson)}\n`);
      await writeFile(join(dir, BUNDLE_FILES.weights), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * Model artifacts from the bytes of model.json and weights.bin that the caller already read (and
 * checksummed): what is verified is exactly what is loaded.
 */
export function bytesLoadHandler(modelJsonBytes: Uint8Array, weightBytes: Uint8Array): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(Buffer.from(modelJsonBytes).toString('utf8')) as tf.io.ModelJSON;
      } catch (err) {
        throw new BundleError('INVALID_FILE', `${BUNDLE_FILES.model} is not JSON: ${(err as Error).message}`);
      }
      if (
        typeof json !== 'object' ||
        json === null ||
        !json.modelTopology ||
        !Array.isArray(json.weightsManifest)
      ) {
        throw new BundleError(
          'INVALID_FILE',
          `${BUNDLE_FILES.model} must hold modelTopology and weightsManifest (a tfjs layers model)`,
        );
      }
      const paths = json.weightsManifest.flatMap((g) => g.paths);
      if (paths.length !== 1 || paths[0] !== BUNDLE_FILES.weights) {
        throw new BundleError(
          'INVALID_FILE',
          `${BUNDLE_FILES.model} must reference exactly one weights file ${BUNDLE_FILES.weights}, got [${paths.join(', ')}]`,
        );
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weightBytes.buffer.slice(
          weightBytes.byteOffset,
          weightBytes.byteOffset + weightBytes.byteLength,
        ) as ArrayBuffer,
      };
    },
  };
}

function joinWeightData(data: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}
