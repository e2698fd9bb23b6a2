import type { ScalerParams } from '../../shared/contracts/scaler.js';
import type { BundleMetadata, FeatureLists } from '../bundle/bundle-schemas.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { loadRiskBundle } from '../risk/risk-bundle.js';
import type { RiskCalibration } from '../risk/risk-calibration.js';
import { createTfjsRiskRuntime, type TfjsRiskRuntime } from './tfjs-risk-runtime.js';

/** A risk model ready to serve, with what the scorer needs besides predictions. */
export interface ServingRiskModel {
  runtime: TfjsRiskRuntime;
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
): Promise<ServingRiskModel> {
  const chosen = version ?? (await registry.current('risk'));
  if (chosen === null) {
    throw new Error(
      `no current risk model in ${registry.root}: train one (risk-monitor train ... --out ${registry.root}) or promote a version`,
    );
  }
  const bundleDir = registry.bundleDir('risk', chosen);
  const bundle = await loadRiskBundle(bundleDir, expectedFeatures);
  return {
    runtime: createTfjsRiskRuntime(bundle),
    scaler: bundle.scaler,
    calibration: bundle.calibration,
    metadata: bundle.metadata,
    manifestSha256: bundle.manifestSha256,
    bundleDir,
  };
}
