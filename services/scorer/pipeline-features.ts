import type { FeatureLists } from '../models/bundle/bundle-schemas.js';
import { MARKET_FEATURES, macroFeatureNames, SENTIMENT_FEATURES } from '../shared/contracts/feature-lists.js';

/** The feature lists the running pipeline produces; a bundle trained on others is refused. */
export function pipelineFeatures(macroIndicators: readonly string[]): FeatureLists {
  return {
    market: [...MARKET_FEATURES],
    macro: macroFeatureNames(macroIndicators),
    sentiment: [...SENTIMENT_FEATURES],
  };
}
