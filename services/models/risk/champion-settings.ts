import type { BundleMetadata } from '../bundle/bundle-schemas.js';
import { DEFAULT_RISK_TRAINING_OPTIONS, type RiskTrainingOptions } from './risk-training.js';

/**
 * A trained bundle's architecture and regularisation, read back from its metadata.hyperparameters
 * (train's defaults where a key is missing), so a model trained again beside it (fine-tuned, from
 * scratch in a full cycle or a transfer experiment) is the same network.
 */
export function championSettings(meta: BundleMetadata): Partial<RiskTrainingOptions> {
  const h = meta.hyperparameters;
  const d = DEFAULT_RISK_TRAINING_OPTIONS;
  const num = (key: string, fallback: number) => (typeof h[key] === 'number' ? (h[key] as number) : fallback);
  return {
    lstmUnits: num('lstmUnits', d.lstmUnits),
    contextUnits: num('contextUnits', d.contextUnits),
    denseUnits: num('denseUnits', d.denseUnits),
    dropout: num('dropout', d.dropout),
    contextDropout: num('contextDropout', d.contextDropout),
    l2: num('l2', d.l2),
    clipNorm: num('clipNorm', d.clipNorm),
    positiveWeightCap: num('positiveWeightCap', d.positiveWeightCap),
    lossWeights: {
      event: num('lossWeightEvent', d.lossWeights.event),
      vol: num('lossWeightVol', d.lossWeights.vol),
      quantiles: num('lossWeightQuantiles', d.lossWeights.quantiles),
    },
  };
}
