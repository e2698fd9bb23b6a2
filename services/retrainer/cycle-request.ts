import type { CodeVersion } from '../models/bundle/code-version.js';
import { ModelRegistry } from '../models/registry/model-registry.js';
import type { BackendPreference } from '../models/runtime/tf-backend.js';
import type { ProgressCallback } from '../models/training/training-progress.js';
import type { RetrainerConfig } from '../shared/config/retrainer-config.js';
import type { ChallengerVariantOptions } from './challenger-variants.js';
import type { CycleKind, CycleTrigger, RetrainCycleOptions, RetrainCycleResult } from './retrain-cycle.js';
import type { RetrainData } from './retrain-data.js';

/**
 * Everything one cycle needs as plain data, so it can cross into a worker thread (structured
 * clone: no functions, no class instances).
 */
export interface CycleRequest {
  data: RetrainData;
  registryDir: string;
  backend: BackendPreference;
  trigger: CycleTrigger;
  /** Fine-tune (default) or a full cycle from fresh weights (CycleKind). */
  kind?: CycleKind;
  requireDrift: boolean;
  settings: RetrainerConfig;
  /** Wall clock of the cycle, epoch ms: version names and the "closed by" cut-off. */
  nowMs: number;
  code: CodeVersion;
}

/** What a cycle runner gives back; the ModelUpdate (if any) is sent by the caller, which owns the sink. */
export type CycleRunner = (request: CycleRequest, progress?: ProgressCallback) => Promise<RetrainCycleResult>;

export function cycleOptionsFromRequest(
  request: CycleRequest,
  progress?: ProgressCallback,
): RetrainCycleOptions {
  const s = request.settings;
  return {
    registry: new ModelRegistry(request.registryDir),
    trigger: request.trigger,
    requireDrift: request.requireDrift,
    kind: request.kind ?? 'fine-tune',
    full: { epochs: s.fullEpochs, learningRate: s.fullLearningRate, patience: s.fullPatience },
    fineTune: {
      epochs: s.epochs,
      learningRate: s.learningRate,
      batchSize: s.batchSize,
      patience: s.patience,
      seed: s.seed,
      freezeLstm: s.freezeLstm,
    },
    anomalyFineTune: {
      epochs: s.anomalyEpochs,
      learningRate: s.anomalyLearningRate,
      batchSize: s.batchSize,
      seed: s.seed,
    },
    split: { validationFraction: s.validationFraction, evaluationFraction: s.evaluationFraction },
    recentBars: s.recentBars,
    gate: { prAucMargin: s.prAucMargin, falseAlarmMargin: s.falseAlarmMargin },
    drift: { warn: s.psiWarn, retrain: s.psiRetrain },
    variants: variantOptions(s),
    now: () => new Date(request.nowMs),
    code: () => request.code,
    ...(progress ? { progress } : {}),
  };
}

/** The feature selection and augmentation settings of the retrainer config. */
export function variantOptions(s: RetrainerConfig): ChallengerVariantOptions {
  return {
    featureSelection: {
      mode: s.featureSelection,
      candidates: s.selectionCandidates,
      neighbours: s.selectionNeighbours,
      seed: s.seed,
    },
    augmentation: {
      mode: s.augmentation,
      settings: {
        gan: {
          steps: s.ganSteps,
          batchSize: s.ganBatchSize,
          units: s.ganUnits,
          noiseDim: s.ganNoiseDim,
          context: s.ganContext,
          learningRate: s.ganLearningRate,
        },
        syntheticRatio: s.syntheticRatio,
        factPaths: s.ganFactPaths,
        factBars: s.ganFactBars,
        thresholds: {
          requireStylizedFacts: s.ganRequireStylizedFacts,
          maxDiscriminativeAccuracy: s.ganMaxDiscriminativeAccuracy,
          minTstrAuc: s.ganMinTstrAuc,
        },
        seed: s.seed,
      },
    },
  };
}
