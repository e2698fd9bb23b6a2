import type { ScalerParams } from '../../shared/contracts/scaler.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { BundleMetadata, FeatureLists } from '../bundle/bundle-schemas.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { loadRiskBundle } from '../risk/risk-bundle.js';
import type { RiskCalibration } from '../risk/risk-calibration.js';
import { preferOnnx } from './onnx-serving.js';
import type { RiskRuntime } from './risk-runtime.js';
import { createTfjsRiskRuntime } from './tfjs-risk-runtime.js';

export interface ServingRuntimeOptions {
  /** auto: onnxruntime-node when its parity with tfjs holds; tfjs: always tfjs. */
  runtime?: 'auto' | 'tfjs';
  onnxThreads?: number;
  logger?: Logger;
}

/** A risk model ready to serve, with what the scorer needs besides predictions. */
export interface ServingRiskModel {
  runtime: RiskRuntime;
  /** ONNX parity (max |diff| vs tfjs) when ONNX was tried, and why tfjs serves if it does. */
  onnx: { maxAbsDiff: number | null; fallbackReason: string | null } | null;
  /** The bundle's scaler: the windowing stage scales with it so the model sees training's scale. */
  scaler: ScalerParams;
  calibration: RiskCalibration;
  metadata: BundleMetadata;
  manifestSha256: string;
  bundleDir: string;
}

/**
 * Loads a risk bundle from the registry (the CURRENT version unless one is named), verified
 * against the running pipeline's feature lists. Throws when there is nothing to serve; never trains.
 */
export async function loadServingRiskModel(
  registry: ModelRegistry,
  expectedFeatures: FeatureLists,
  version?: string,
  serving: ServingRuntimeOptions = {},
): Promise<ServingRiskModel> {
  const chosen = version ?? (await registry.current('risk'));
  if (chosen === null) {
    throw new Error(
      `no current risk model in ${registry.root}: train one (risk-monitor train ... --out ${registry.root}) or promote a version`,
    );
  }
  const bundleDir = registry.bundleDir('risk', chosen);
  const bundle = await loadRiskBundle(bundleDir, expectedFeatures);
  const tfjs = createTfjsRiskRuntime(bundle);
  let runtime: RiskRuntime = tfjs;
  let onnx: ServingRiskModel['onnx'] = null;
  if ((serving.runtime ?? 'auto') === 'auto') {
    const shape = {
      seqLen: bundle.metadata.seqLen,
      marketWidth: bundle.features.market.length,
      macroWidth: bundle.features.macro.length,
      sentimentWidth: bundle.features.sentiment.length,
    };
    const served = await preferOnnx(tfjs, bundle.model, shape, {
      threads: serving.onnxThreads ?? 1,
      ...(serving.logger ? { logger: serving.logger } : {}),
    });
    runtime = served.runtime;
    onnx = { maxAbsDiff: served.maxAbsDiff, fallbackReason: served.fallbackReason };
  }
  return {
    runtime,
    onnx,
    scaler: bundle.scaler,
    calibration: bundle.calibration,
    metadata: bundle.metadata,
    manifestSha256: bundle.manifestSha256,
    bundleDir,
  };
}
