import type { FeatureDistribution } from '../models/bundle/feature-distribution.js';
import { marketVector, type RiskFeatureNames } from '../models/risk/risk-dataset.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';
import { type BinnedReference, populationStability } from './population-stability.js';

export interface DriftThresholds {
  /** PSI at or above this is reported as a warning (0.1 by convention: "some shift"). */
  warn: number;
  /** PSI at or above this asks for retraining (0.25 by convention: "major shift"). */
  retrain: number;
}

export type DriftLevel = 'ok' | 'warn' | 'retrain';

export interface FeatureDrift {
  group: FeatureDistribution['group'] | 'score';
  name: string;
  psi: number;
  /** Recent values compared. */
  count: number;
  level: DriftLevel;
}

export interface DriftVerdict {
  /** The worst level over every feature and the score. */
  level: DriftLevel;
  features: FeatureDrift[];
  /** Null when the champion's bundle stores no score distribution (bundles before the retrainer). */
  score: FeatureDrift | null;
  /** The largest PSI seen, or null when nothing could be compared. */
  worst: FeatureDrift | null;
  thresholds: DriftThresholds;
  /** Features in the reference without recent values (nothing to compare), or vice versa. */
  skipped: string[];
}

export interface DriftInputs {
  /** The champion's training distributions (bundle metadata.trainingDistribution). */
  reference: readonly FeatureDistribution[];
  /** Recent joined bars, any symbols. */
  recent: readonly JoinedBar[];
  features: RiskFeatureNames;
  /** The champion's event-probability distribution on its validation split, when stored. */
  scoreReference?: BinnedReference | null;
  /** The champion's event probabilities on the recent bars. */
  recentScores?: readonly number[];
}

const RANK: Record<DriftLevel, number> = { ok: 0, warn: 1, retrain: 2 };

export function driftLevel(psi: number, t: DriftThresholds): DriftLevel {
  if (!Number.isFinite(psi)) return 'ok';
  return psi >= t.retrain ? 'retrain' : psi >= t.warn ? 'warn' : 'ok';
}

/**
 * PSI of every input feature's recent values against the champion's training bins, and of the
 * champion's recent scores against its validation scores. A drifted score with quiet features
 * means the model reacts to a combination of inputs that moved; drifted features with a quiet
 * score mean the shift does not (yet) reach the output.
 */
export function checkDrift(inputs: DriftInputs, thresholds: DriftThresholds): DriftVerdict {
  if (!(thresholds.warn <= thresholds.retrain)) {
    throw new RangeError(
      `drift thresholds must satisfy warn <= retrain, got warn ${thresholds.warn}, retrain ${thresholds.retrain}`,
    );
  }
  const columns = recentColumns(inputs.recent, inputs.features);
  const skipped: string[] = [];
  const features: FeatureDrift[] = [];
  for (const ref of inputs.reference) {
    const key = `${ref.group}.${ref.name}`;
    const values = columns.get(key);
    if (values === undefined || values.length === 0 || ref.count === 0 || ref.edges.length === 0) {
      skipped.push(key);
      continue;
    }
    const { psi, count } = populationStability(ref, values);
    features.push({ group: ref.group, name: ref.name, psi, count, level: driftLevel(psi, thresholds) });
  }
  for (const key of columns.keys()) {
    if (!inputs.reference.some((r) => `${r.group}.${r.name}` === key)) skipped.push(key);
  }
  let score: FeatureDrift | null = null;
  if (inputs.scoreReference && inputs.recentScores && inputs.recentScores.length > 0) {
    const { psi, count } = populationStability(inputs.scoreReference, inputs.recentScores);
    score = { group: 'score', name: 'eventProbability', psi, count, level: driftLevel(psi, thresholds) };
  }
  const all = score ? [...features, score] : features;
  let worst: FeatureDrift | null = null;
  for (const d of all) if (Number.isFinite(d.psi) && (worst === null || d.psi > worst.psi)) worst = d;
  const level = all.reduce<DriftLevel>((acc, d) => (RANK[d.level] > RANK[acc] ? d.level : acc), 'ok');
  return { level, features, score, worst, thresholds, skipped };
}

function recentColumns(bars: readonly JoinedBar[], names: RiskFeatureNames): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const push = (key: string, v: number) => {
    const list = out.get(key) ?? [];
    list.push(v);
    out.set(key, list);
  };
  for (const jb of bars) {
    const market = marketVector(jb.bar, names.market);
    for (let j = 0; j < names.market.length; j++) push(`market.${names.market[j]}`, market[j] as number);
    for (let j = 0; j < names.macro.length; j++) push(`macro.${names.macro[j]}`, jb.macro[j] as number);
    for (let j = 0; j < names.sentiment.length; j++) {
      push(`sentiment.${names.sentiment[j]}`, jb.sentiment[j] as number);
    }
  }
  return out;
}
