import { sameScaling } from '../../shared/contracts/scaler.js';
import type { RiskBundle } from './risk-bundle.js';

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

/**
 * Why two bundles are not the same model configuration (null when they are): the same feature
 * lists, window, label and training tickers. What else must agree depends on the use below.
 */
function configurationMismatch(a: RiskBundle, b: RiskBundle): string | null {
  if (!same(a.features, b.features)) return 'feature lists';
  if (a.metadata.seqLen !== b.metadata.seqLen) return `seqLen (${a.metadata.seqLen} vs ${b.metadata.seqLen})`;
  if (!same(a.metadata.label, b.metadata.label)) return 'label';
  if (!same(a.metadata.data.symbols, b.metadata.data.symbols)) return 'training symbols';
  return null;
}

/**
 * Why two bundles cannot be averaged as a seed ensemble (null when they can): they must read the
 * same scaled inputs and predict the same label over the same split.
 */
export function ensembleMismatch(a: RiskBundle, b: RiskBundle): string | null {
  const configuration = configurationMismatch(a, b);
  if (configuration !== null) return configuration;
  if (!same(a.metadata.data.boundaries, b.metadata.data.boundaries)) return 'split boundaries';
  if (a.scaler.clip !== b.scaler.clip) return `scaler clip (${a.scaler.clip} vs ${b.scaler.clip})`;
  for (const part of ['market', 'macro', 'sentiment'] as const) {
    if (!sameScaling(a.scaler[part], b.scaler[part])) return `scaler (${part})`;
  }
  return null;
}

/**
 * Why two bundles are not folds of one walk-forward (null when they are): the same configuration
 * and seed at another split (each fold fits its own scaler on its own training years).
 */
export function foldMismatch(a: RiskBundle, b: RiskBundle): string | null {
  return configurationMismatch(a, b) ?? (a.metadata.seed !== b.metadata.seed ? 'seed' : null);
}
