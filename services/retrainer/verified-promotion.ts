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
import { sameScaling } from '../shared/contracts/scaler.js';

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

export interface PairPromotion {
  risk: string;
  /** The anomaly challenger, or null when the cycle kept the champion's anomaly model. */
  anomaly: string | null;
}

/**
 * Promotes a risk version and (if given) an anomaly version as the pair the scorer will serve:
 * both are loaded like the scorer loads them and checked to pair (window length, market scaler;
 * with no anomaly version, against the current anomaly model) before any pointer moves, so a
 * refusal leaves both CURRENTs as they were. Then risk moves, then anomaly; should the second
 * move fail, risk is moved back, so the pointers switch together or not at all. The registry has
 * one pointer per model: a scorer that reloads between the two moves serves the new risk model
 * with the old anomaly one for a moment, which is a valid pair (same scaler) and the next reload
 * completes it. Returns the ModelUpdates in the order the pointers moved.
 */
export async function promotePairVerified(
  registry: ModelRegistry,
  pair: PairPromotion,
  features: FeatureLists | null,
  options: PointerChangeOptions & { anomalyMetrics?: Record<string, number> },
): Promise<ModelUpdate[]> {
  for (const [model, version] of [
    ['risk', pair.risk],
    ['anomaly', pair.anomaly],
  ] as const) {
    if (version === null) continue;
    const known = await registry.versions(model);
    if (!known.includes(version)) {
      throw new RegistryError(
        'UNKNOWN_VERSION',
        `${model} version ${version} is not in ${registry.root} (known: ${known.join(', ') || 'none'})`,
      );
    }
  }
  const anomalyVersion = pair.anomaly ?? (await registry.current('anomaly'));
  const risk = await loadRiskBundle(registry.bundleDir('risk', pair.risk), features);
  risk.model.dispose();
  if (anomalyVersion !== null) {
    const { content, model } = await loadAnomalyBundle(registry.bundleDir('anomaly', anomalyVersion));
    model.dispose();
    if (
      content.spec.seqLen !== risk.metadata.seqLen ||
      !sameScaling(content.scaler.market, risk.scaler.market)
    ) {
      throw new Error(
        `risk ${pair.risk} and anomaly ${anomalyVersion} cannot serve together (window ${risk.metadata.seqLen} vs ${content.spec.seqLen}${sameScaling(content.scaler.market, risk.scaler.market) ? '' : ', different market scalers'}): neither pointer moved`,
      );
    }
  }
  const previousRisk = await registry.current('risk');
  const updates = [await registry.promote('risk', pair.risk, options)];
  if (pair.anomaly !== null) {
    try {
      updates.push(
        await registry.promote('anomaly', pair.anomaly, {
          ...options,
          metrics: options.anomalyMetrics ?? options.metrics ?? {},
        }),
      );
    } catch (err) {
      if (previousRisk !== null) {
        await registry.promote('risk', previousRisk, {
          ...options,
          reason: `undo: anomaly ${pair.anomaly} could not be made current (${(err as Error).message})`,
        });
      }
      throw err;
    }
  }
  return updates;
}
