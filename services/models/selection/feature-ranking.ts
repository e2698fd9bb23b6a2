import type { RiskFeatureNames, RiskSplit } from '../risk/risk-dataset.js';
import {
  DEFAULT_KNN_MI_OPTIONS,
  discreteMutualInformation,
  type KnnMiOptions,
  knnMutualInformation,
} from './mutual-information.js';

export type FeatureGroup = 'market' | 'macro' | 'sentiment';

export interface FeatureMi {
  group: FeatureGroup;
  name: string;
  /** I(feature; event label) in nats. */
  mi: number;
  estimator: 'knn' | 'discrete';
  /** Distinct values seen (a constant has 1 and MI 0). */
  distinct: number;
}

export interface RankingOptions extends KnnMiOptions {
  /** Features with at most this many distinct values use the plug-in discrete estimator. */
  discreteMaxValues: number;
}

export const DEFAULT_RANKING_OPTIONS: RankingOptions = { ...DEFAULT_KNN_MI_OPTIONS, discreteMaxValues: 10 };

/** One feature's values over a split: market features at the window's last bar (the bar scored). */
export function featureColumn(split: RiskSplit, group: FeatureGroup, index: number): Float64Array {
  const out = new Float64Array(split.size);
  const { seqLen: l, marketWidth: f, macroWidth: m, sentimentWidth: s } = split;
  for (let i = 0; i < split.size; i++) {
    out[i] =
      group === 'market'
        ? (split.market[(i * l + l - 1) * f + index] as number)
        : group === 'macro'
          ? (split.macro[i * m + index] as number)
          : (split.sentiment[i * s + index] as number);
  }
  return out;
}

/**
 * Mutual information of every candidate feature with the event label over a split, highest
 * first (ties by group and name, so the order is deterministic).
 */
export function rankFeaturesByMi(
  split: RiskSplit,
  features: RiskFeatureNames,
  options: RankingOptions = DEFAULT_RANKING_OPTIONS,
): FeatureMi[] {
  const out: FeatureMi[] = [];
  for (const group of ['market', 'macro', 'sentiment'] as const) {
    features[group].forEach((name, j) => {
      const x = featureColumn(split, group, j);
      const distinct = new Set(x).size;
      const discrete = distinct <= options.discreteMaxValues;
      const mi = discrete
        ? discreteMutualInformation(x, split.event)
        : knnMutualInformation(x, split.event, options);
      out.push({ group, name, mi, estimator: discrete ? 'discrete' : 'knn', distinct });
    });
  }
  return out.sort((a, b) => b.mi - a.mi || a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
}
