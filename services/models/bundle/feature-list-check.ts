import { BundleError } from './bundle-error.js';
import type { FeatureLists } from './bundle-schemas.js';

/** Human-readable differences between the pipeline's feature lists and a bundle's; empty if equal. */
export function featureListDifferences(pipeline: FeatureLists, bundle: FeatureLists): string[] {
  const out: string[] = [];
  for (const group of ['market', 'macro', 'sentiment'] as const) {
    const want = pipeline[group];
    const have = bundle[group];
    if (want.length === have.length && want.every((n, i) => n === have[i])) continue;
    const missing = want.filter((n) => !have.includes(n));
    const extra = have.filter((n) => !want.includes(n));
    const parts = [`${group}: pipeline [${want.join(', ')}] vs bundle [${have.join(', ')}]`];
    if (missing.length > 0) parts.push(`not in bundle: ${missing.join(', ')}`);
    if (extra.length > 0) parts.push(`not in pipeline: ${extra.join(', ')}`);
    if (missing.length === 0 && extra.length === 0) parts.push('same names in a different order');
    out.push(parts.join('; '));
  }
  return out;
}

/** Throws BundleError FEATURE_MISMATCH listing every difference. */
export function assertSameFeatures(pipeline: FeatureLists, bundle: FeatureLists, bundleName: string): void {
  const diffs = featureListDifferences(pipeline, bundle);
  if (diffs.length > 0) {
    throw new BundleError(
      'FEATURE_MISMATCH',
      `bundle ${bundleName} was trained on different features than the running pipeline provides; retrain or change the pipeline's feature configuration:\n  ${diffs.join('\n  ')}`,
    );
  }
}
