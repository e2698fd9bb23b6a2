import { loadAnomalyBundle } from '../models/anomaly/anomaly-bundle.js';
import type { FeatureLists } from '../models/bundle/bundle-schemas.js';
import {
  type ModelRegistry,
  type PointerChangeOptions,
  RegistryError,
  type RegistryModel,
} from '../models/registry/model-registry.js';
import { loadRiskBundle } from '../models/risk/risk-bundle.js';
import type { ModelUpdate } from '../shared/contracts/records.js';

/**
 * Loads a version the way the scorer will (checksums, schemas, feature lists, shapes) and throws
 * the loader's error if it would be refused, so CURRENT never names a bundle nobody can serve.
 */
export async function assertServable(
  registry: ModelRegistry,
  model: RegistryModel,
  version: string,
  features: FeatureLists | null,
): Promise<void> {
  const dir = registry.bundleDir(model, version);
  if (model === 'risk') {
    const bundle = await loadRiskBundle(dir, features);
    bundle.model.dispose();
  } else {
    const { model: m } = await loadAnomalyBundle(dir);
    m.dispose();
  }
}

/** registry.promote after assertServable: a corrupt or mismatched bundle leaves CURRENT as it was. */
export async function promoteVerified(
  registry: ModelRegistry,
  model: RegistryModel,
  version: string,
  features: FeatureLists | null,
  options: PointerChangeOptions,
): Promise<ModelUpdate> {
  const known = await registry.versions(model);
  if (!known.includes(version)) {
    // Named before loading, so a typo reads as an unknown version, not as a missing file.
    throw new RegistryError(
      'UNKNOWN_VERSION',
      `${model} version ${version} is not in ${registry.root} (known: ${known.join(', ') || 'none'})`,
    );
  }
  await assertServable(registry, model, version, features);
  return registry.promote(model, version, options);
}
