import { sameScaling } from '../../shared/contracts/scaler.js';
import type { RiskBundle } from './risk-bundle.js';

/**
 * Why two bundles cannot be averaged as a seed ensemble (null when they can): they must read the
 * same scaled inputs and predict the same label over the same split.
 */
export function ensembleMismatch(a: RiskBundle, b: RiskBundle): string | null {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (!same(a.features, b.features)) return 'feature lists';
  if (a.metadata.seqLen !== b.metadata.seqLen) return `seqLen (${a.metadata.seqLen} vs ${b.metadata.seqLen})`;
  if (!same(a.metadata.label, b.metadata.label)) return 'label';
  if (!same(a.metadata.data.boundaries, b.metadata.data.boundaries)) return 'split boundaries';
  if (!same(a.metadata.data.symbols, b.metadata.data.symbols)) return 'training symbols';
  if (a.scaler.clip !== b.scaler.clip) return `scaler clip (${a.scaler.clip} vs ${b.scaler.clip})`;
  for (const part of ['market', 'macro', 'sentiment'] as const) {
    if (!sameScaling(a.scaler[part], b.scaler[part])) return `scaler (${part})`;
  }
  return null;
}
