import type {
  AugmentationReport,
  BundleMetadata,
  FeatureSelectionReport,
} from '../models/bundle/bundle-schemas.js';
import { type AugmentationSettings, augmentWithGan } from '../models/gan/gan-augmentation.js';
import type { StylizedFacts } from '../models/gan/stylized-facts.js';
import type { RiskDataset, SymbolSeries } from '../models/risk/risk-dataset.js';
import type { TrainedRiskModel } from '../models/risk/risk-training.js';
import {
  type FeatureRef,
  featureKey,
  maskDataset,
  maskModelInputs,
} from '../models/selection/feature-mask.js';
import { DEFAULT_RANKING_OPTIONS, rankFeaturesByMi } from '../models/selection/feature-ranking.js';
import type { ProgressCallback } from '../models/training/training-progress.js';

/** Feature selection and GAN augmentation of a cycle; both off unless configured (retrainer config). */
export interface ChallengerVariantOptions {
  featureSelection: { mode: 'off' | 'auto'; candidates: number; neighbours: number; seed: number };
  augmentation: { mode: 'off' | 'auto'; settings: AugmentationSettings };
}

export const VARIANTS_OFF: ChallengerVariantOptions = {
  featureSelection: { mode: 'off', candidates: 0, neighbours: 3, seed: 42 },
  augmentation: {
    mode: 'off',
    settings: {
      gan: { noiseDim: 4, context: 12 },
      syntheticRatio: 1,
      factPaths: 0,
      factBars: 0,
      thresholds: { requireStylizedFacts: true, maxDiscriminativeAccuracy: 0.8, minTstrAuc: 0.55 },
      seed: 42,
    },
  },
};

export interface ChallengerVariantReport {
  featureSelection: FeatureSelectionReport | null;
  augmentation: AugmentationReport | null;
}

/** One fine-tuning run of the challenger on a dataset; each call starts from a fresh copy of the champion. */
export type TrainChallenger = (dataset: RiskDataset) => Promise<TrainedRiskModel>;

/**
 * The challenger the cycle gates: without variants, one fine-tuning run. With feature selection,
 * features are ranked by mutual information with the event label on the train split and the
 * lowest-ranked candidates are tried one at a time (a backward elimination in MI order): a
 * feature stays dropped only if validation PR-AUC does not get worse. With augmentation, the GAN's
 * synthetic positive windows (when they pass the quality checks) train one more run on the
 * chosen features, which is kept only if it improves validation PR-AUC. All comparisons are on
 * the validation split; the held-out period stays for the champion/challenger gate. The losing
 * runs' models are disposed.
 */
export async function trainChallengerVariants(
  dataset: RiskDataset,
  series: readonly SymbolSeries[],
  train: TrainChallenger,
  options: ChallengerVariantOptions,
  progress?: ProgressCallback,
): Promise<{ trained: TrainedRiskModel; report: ChallengerVariantReport }> {
  let best = await train(dataset);
  let bestPr = best.evaluation.validation.prAuc;
  const baselinePr = bestPr;
  const dropped: FeatureRef[] = [];
  let featureSelection: FeatureSelectionReport | null = null;
  try {
    const fs = options.featureSelection;
    if (fs.mode === 'auto') {
      const ranking = rankFeaturesByMi(dataset.train, dataset.features, {
        ...DEFAULT_RANKING_OPTIONS,
        k: fs.neighbours,
        seed: fs.seed,
      });
      const trials: FeatureSelectionReport['trials'] = [];
      for (const candidate of [...ranking].reverse().slice(0, fs.candidates)) {
        const attempt = [...dropped, { group: candidate.group, name: candidate.name }];
        const trial = await train(maskDataset(dataset, attempt));
        maskModelInputs(trial.model, dataset.features, attempt);
        const pr = trial.evaluation.validation.prAuc;
        const keep = Number.isFinite(pr) && Number.isFinite(bestPr) && pr >= bestPr;
        trials.push({ feature: featureKey(candidate), validationPrAuc: finite(pr), dropped: keep });
        if (keep) {
          best.model.dispose();
          best = trial;
          bestPr = pr;
          dropped.push({ group: candidate.group, name: candidate.name });
        } else trial.model.dispose();
      }
      featureSelection = {
        method: `mutual information with the event label on the train split (Ross k-NN, k = ${fs.neighbours}; plug-in for <= ${DEFAULT_RANKING_OPTIONS.discreteMaxValues} distinct values), then backward elimination of the ${fs.candidates} lowest on validation PR-AUC`,
        ranking: ranking.map((r) => ({
          feature: featureKey(r),
          mi: r.mi,
          estimator: r.estimator,
          distinct: r.distinct,
        })),
        baselineValidationPrAuc: finite(baselinePr),
        trials,
        dropped: dropped.map(featureKey),
      };
    }

    let augmentation: AugmentationReport | null = null;
    if (options.augmentation.mode === 'auto') {
      const aug = await augmentWithGan(dataset, series, options.augmentation.settings, progress);
      const q = aug.quality;
      let prWith: number | null = null;
      let used = false;
      let reason: string;
      if (aug.train === null)
        reason = `not used: synthetic data failed the quality checks (${q.verdict.reasons.join('; ')})`;
      else if (aug.syntheticSamples === 0)
        reason = 'not used: no positive training windows to synthesise from';
      else {
        const trial = await train(maskDataset({ ...dataset, train: aug.train }, dropped));
        maskModelInputs(trial.model, dataset.features, dropped);
        const pr = trial.evaluation.validation.prAuc;
        prWith = finite(pr);
        used = Number.isFinite(pr) && Number.isFinite(bestPr) && pr > bestPr;
        reason = used
          ? `used: validation PR-AUC ${pr.toFixed(4)} with vs ${bestPr.toFixed(4)} without`
          : `not used: validation PR-AUC ${fmt(pr)} with does not improve on ${fmt(bestPr)} without`;
        if (used) {
          best.model.dispose();
          best = trial;
        } else trial.model.dispose();
      }
      augmentation = {
        used,
        reason,
        validationPrAucWithout: finite(bestPr),
        validationPrAucWith: prWith,
        syntheticSamples: used ? aug.syntheticSamples : 0,
        ganSteps: q.ganSteps,
        ganSeconds: q.ganSeconds,
        qualityPassed: q.verdict.passed,
        qualityReasons: q.verdict.reasons,
        discriminativeAccuracy: finite(q.discriminative.accuracy),
        discriminativeAuc: finite(q.discriminative.auc),
        tstrAuc: finite(q.tstr.tstrAuc),
        trtrAuc: finite(q.tstr.trtrAuc),
        realFacts: factsReport(q.realFacts),
        generatedFacts: factsReport(q.generatedFacts),
      };
    }
    return { trained: best, report: { featureSelection, augmentation } };
  } catch (err) {
    best.model.dispose();
    throw err;
  }
}

/** The variants' reports in a challenger's metadata: whole reports plus flat numbers for `models list`. */
export function withVariantReport(meta: BundleMetadata, report: ChallengerVariantReport): BundleMetadata {
  const out: BundleMetadata = {
    ...meta,
    hyperparameters: { ...meta.hyperparameters },
    metrics: { ...meta.metrics },
  };
  const fs = report.featureSelection;
  if (fs) {
    out.featureSelection = fs;
    out.hyperparameters.droppedFeatures = fs.dropped.join(',');
    out.metrics['selection.dropped'] = fs.dropped.length;
  }
  const a = report.augmentation;
  if (a) {
    out.augmentation = a;
    out.hyperparameters.augmentationDecision = a.reason;
    const flat: Record<string, number | null> = {
      'augmentation.used': a.used ? 1 : 0,
      'augmentation.validationPrAucWith': a.validationPrAucWith,
      'augmentation.validationPrAucWithout': a.validationPrAucWithout,
      'augmentation.discriminativeAccuracy': a.discriminativeAccuracy,
      'augmentation.tstrAuc': a.tstrAuc,
      'augmentation.generatedKurtosis': a.generatedFacts?.excessKurtosis ?? null,
      'augmentation.syntheticSamples': a.syntheticSamples,
    };
    for (const [k, v] of Object.entries(flat)) if (v !== null) out.metrics[k] = v;
  }
  return out;
}

function factsReport(f: StylizedFacts | null): AugmentationReport['realFacts'] {
  if (f === null) return null;
  return {
    samples: f.samples,
    excessKurtosis: finite(f.excessKurtosis),
    returnAcf: f.returnAcf.map(finite),
    absReturnAcf: f.absReturnAcf.map(finite),
    passed: f.passed,
  };
}

/** JSON has no NaN: undefined numbers (e.g. PR-AUC without positives) are written as null. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'undefined';
}
