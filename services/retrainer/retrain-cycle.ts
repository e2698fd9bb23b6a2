import type * as tf from '@tensorflow/tfjs';
import type { BundleMetadata, FeatureLists } from '../models/bundle/bundle-schemas.js';
import type { CodeVersion } from '../models/bundle/code-version.js';
import { saveModelBundle } from '../models/bundle/model-bundle.js';
import { modelVersionName } from '../models/bundle/version-name.js';
import type { ModelRegistry } from '../models/registry/model-registry.js';
import { championSettings } from '../models/risk/champion-settings.js';
import { loadRiskBundle, riskBundleMetadata } from '../models/risk/risk-bundle.js';
import { buildRiskDataset, type RiskDataset, type RiskFeatureNames } from '../models/risk/risk-dataset.js';
import {
  evaluateRisk,
  flattenMetrics,
  predictRiskSplit,
  type RiskMetrics,
} from '../models/risk/risk-evaluation.js';
import {
  DEFAULT_RISK_TRAINING_OPTIONS,
  RISK_LSTM_LAYER,
  type RiskTrainingOptions,
  trainRiskModel,
} from '../models/risk/risk-training.js';
import type { ProgressCallback } from '../models/training/training-progress.js';
import type { ModelUpdate } from '../shared/contracts/records.js';
import {
  type AnomalyChallenger,
  type AnomalyFineTuneOptions,
  type AnomalyModelNumbers,
  fineTuneAnomalyChampion,
  publishAnomalyChallenger,
} from './anomaly-challenger.js';
import { challengerGate, type GateDecision, type GateOptions } from './challenger-gate.js';
import {
  type ChallengerVariantOptions,
  type ChallengerVariantReport,
  trainChallengerVariants,
  VARIANTS_OFF,
  withVariantReport,
} from './challenger-variants.js';
import { checkDrift, type DriftThresholds, type DriftVerdict } from './drift-check.js';
import type { ModelUpdateSender } from './model-update-sender.js';
import { type RetrainData, recentSeries } from './retrain-data.js';
import { countVarExceedances, type VarExceedances } from './var-exceedances.js';
import { promotePairVerified } from './verified-promotion.js';

/**
 * How the challenger is trained. `fine-tune` (the default cycle): the champion's weights, warm
 * started on the recent bars at a low learning rate. `full` (the periodic full cycle): the
 * champion's architecture from fresh weights on every symbol's whole history pooled, so errors a
 * chain of fine-tunes has accumulated do not compound forever. Both keep the champion's scaler (the
 * anomaly model shares it) and are gated on the same held-out recent period.
 */
export type CycleKind = 'fine-tune' | 'full';

export interface FullTrainingOptions {
  epochs: number;
  learningRate: number;
  patience: number;
}

/** Why a cycle ran: on the interval, after a drift check, or by hand (CLI). */
export type CycleTrigger = 'schedule' | 'drift' | 'manual';
export type CycleOutcome = 'promoted' | 'rejected' | 'no-drift';

export interface FineTuneOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  patience: number;
  seed: number;
  /** Keep the champion's LSTM tower fixed; only the dense layers and heads move. */
  freezeLstm: boolean;
}

export interface RetrainCycleOptions {
  registry: ModelRegistry;
  trigger: CycleTrigger;
  /** Retrain only when the drift check says so (the drift trigger); otherwise always. */
  requireDrift: boolean;
  fineTune: FineTuneOptions;
  /** Default fine-tune; `full` trains from scratch on the whole history (CycleKind). */
  kind?: CycleKind;
  full?: FullTrainingOptions;
  /** Fine-tuning of the anomaly forecaster; absent or 0 epochs keeps the champion's. */
  anomalyFineTune?: AnomalyFineTuneOptions;
  /** Shares of the recent bar times for validation and for the held-out comparison period. */
  split: { validationFraction: number; evaluationFraction: number };
  recentBars: number;
  gate: GateOptions;
  drift: DriftThresholds;
  now: () => Date;
  code: () => CodeVersion;
  progress?: ProgressCallback;
  /** Sends the promotion's ModelUpdate (risk.model-updates); omitted where nobody listens. */
  sendUpdate?: ModelUpdateSender;
  /** Feature selection and GAN augmentation (challenger-variants.ts); off when omitted. */
  variants?: ChallengerVariantOptions;
}

export interface ModelNumbers {
  version: string;
  metrics: RiskMetrics;
  var99: VarExceedances;
}

export interface RetrainCycleResult {
  outcome: CycleOutcome;
  trigger: CycleTrigger;
  kind: CycleKind;
  drift: DriftVerdict;
  champion: ModelNumbers;
  /** Null when the cycle stopped at the drift check. */
  challenger: (ModelNumbers & { bundleDir: string }) | null;
  gate: GateDecision | null;
  /** The risk promotion's record (also sent through sendUpdate), or null when nothing moved. */
  update: ModelUpdate | null;
  /** Every pointer move of the promotion, risk then anomaly (each sent through sendUpdate). */
  updates: ModelUpdate[];
  /** The anomaly champion and challenger on the period; null when the anomaly model was kept. */
  anomaly: {
    champion: AnomalyModelNumbers;
    challenger: AnomalyModelNumbers & { bundleDir: string };
    trainingSeconds: number;
  } | null;
  /** The held-out comparison period, epoch ms, and its sample count. */
  period: { from: number; samples: number };
  trainingSeconds: number;
  /** Feature selection and augmentation reports (null each when off); absent when no challenger was trained. */
  variants?: ChallengerVariantReport;
}

/**
 * One retraining cycle: recent bars -> the champion's purged split (with its scaler, which the
 * anomaly model shares) -> drift of inputs and score against the champion's training -> fine-tune
 * the champion (warm start, lower learning rate, optionally a frozen LSTM), and its anomaly
 * forecaster (anomaly-challenger.ts) -> champions and challengers evaluated on the same held-out
 * recent period -> gate -> the challengers are always published (a rejected one is kept with its
 * numbers) and promoted, as a pair, only when the gate passes and they load like the scorer
 * would load them.
 */
export async function runRetrainCycle(
  data: RetrainData,
  options: RetrainCycleOptions,
): Promise<RetrainCycleResult> {
  const { registry } = options;
  const championVersion = await registry.current('risk');
  if (championVersion === null) {
    throw new Error(
      `no current risk model in ${registry.root}: the retrainer fine-tunes a champion, train one first (risk-monitor train --out ${registry.root})`,
    );
  }
  const champion = await loadRiskBundle(
    registry.bundleDir('risk', championVersion),
    featureLists(data.features),
  );
  let modelOwned = true;
  try {
    const meta = champion.metadata;
    const asOf = options.now().getTime();
    const series = recentSeries(data.series, options.recentBars, asOf);
    const { validationFraction, evaluationFraction } = options.split;
    const dataset = buildRiskDataset(series, {
      seqLen: meta.seqLen,
      labels: { horizon: labelParam(meta, 'horizon'), k: labelParam(meta, 'k') },
      features: data.features,
      split: { trainFraction: 1 - validationFraction - evaluationFraction, validationFraction },
      scaler: champion.scaler,
    });
    const period = dataset.test;
    if (period.size === 0) {
      throw new RangeError(
        `the held-out period (from ${new Date(dataset.boundaries.testStart).toISOString()}) has no labelled samples: more recent bars are needed (have ${series.reduce((n, s) => n + s.bars.length, 0)})`,
      );
    }

    const championPred = predictRiskSplit(champion.model, period);
    const championNumbers: ModelNumbers = {
      version: championVersion,
      metrics: evaluateRisk(championPred, period),
      var99: countVarExceedances(championPred.q01, period.horizonReturn),
    };
    const drift = checkDrift(
      {
        reference: meta.trainingDistribution,
        recent: recentBarsOf(series, dataset.boundaries.testStart),
        features: data.features,
        scoreReference: meta.scoreDistribution ?? null,
        recentScores: Array.from(championPred.event),
      },
      options.drift,
    );
    const kind = options.kind ?? 'fine-tune';
    const base = {
      trigger: options.trigger,
      kind,
      drift,
      champion: championNumbers,
      period: periodOf(dataset),
    };
    if (options.requireDrift && drift.level !== 'retrain') {
      return {
        ...base,
        outcome: 'no-drift',
        challenger: null,
        gate: null,
        update: null,
        updates: [],
        anomaly: null,
        trainingSeconds: 0,
      };
    }

    const started = Date.now();
    // A full cycle learns from every closed bar, split at the recent dataset's boundaries, so
    // its validation dates and the gate's held-out period are the fine-tune cycle's.
    const fullSeries = kind === 'full' ? recentSeries(data.series, Number.MAX_SAFE_INTEGER, asOf) : series;
    const trainingSet =
      kind === 'full'
        ? buildRiskDataset(fullSeries, {
            seqLen: meta.seqLen,
            labels: { horizon: labelParam(meta, 'horizon'), k: labelParam(meta, 'k') },
            features: data.features,
            split: dataset.boundaries,
            scaler: champion.scaler,
          })
        : dataset;
    // Fine-tuning trains the champion's model in place: its predictions above are already taken.
    if (kind === 'fine-tune') modelOwned = false;
    // Feature selection / augmentation hook (challenger-variants.ts): with both off this is one
    // training run; every further fine-tuning run warm-starts from a fresh load of the champion.
    let warmModel: tf.LayersModel | null = champion.model;
    const { trained, report: variants } = await trainChallengerVariants(
      trainingSet,
      fullSeries,
      async (ds) => {
        if (kind === 'full') {
          const full = options.full ?? DEFAULT_FULL_TRAINING;
          return trainRiskModel(ds, fullTrainingOptions(meta, full, options.fineTune), options.progress);
        }
        const model =
          warmModel ??
          (await loadRiskBundle(registry.bundleDir('risk', championVersion), featureLists(data.features)))
            .model;
        warmModel = null;
        return trainRiskModel(ds, fineTuneOptions(meta, options.fineTune, model), options.progress);
      },
      options.variants ?? VARIANTS_OFF,
      options.progress,
    );
    const trainingSeconds = (Date.now() - started) / 1000;
    let anomaly: AnomalyChallenger | null = null;
    try {
      if ((options.anomalyFineTune?.epochs ?? 0) > 0) {
        anomaly = await fineTuneAnomalyChampion(
          registry,
          {
            series,
            periodStart: dataset.boundaries.testStart,
            risk: { version: championVersion, seqLen: meta.seqLen, scaler: champion.scaler },
          },
          options.anomalyFineTune as AnomalyFineTuneOptions,
          options.progress,
        );
      }
      const challengerPred = predictRiskSplit(trained.model, period);
      const challengerMetrics = evaluateRisk(challengerPred, period);
      const challengerVar = countVarExceedances(challengerPred.q01, period.horizonReturn);
      const gate = challengerGate(
        {
          champion: { prAuc: championNumbers.metrics.prAuc, var99: championNumbers.var99 },
          challenger: { prAuc: challengerMetrics.prAuc, var99: challengerVar },
          anomalyFalseAlarms: anomaly && {
            champion: anomaly.champion.falseAlarms.rate,
            challenger: anomaly.challenger.falseAlarms.rate,
          },
        },
        options.gate,
      );

      const createdAt = options.now();
      const code = options.code();
      const version = modelVersionName('risk', createdAt, code.gitCommit);
      const metadata = withVariantReport(
        challengerMetadata(riskBundleMetadata(trained, trainingSet, version, createdAt, code), {
          kind,
          championVersion,
          championMetrics: championNumbers.metrics,
          gate,
          trigger: options.trigger,
          frozen: options.fineTune.freezeLstm,
          worstDrift: drift.worst?.psi ?? null,
        }),
        variants,
      );
      const bundleDir = await registry.publish('risk', version, (dir) =>
        saveModelBundle(dir, {
          model: trained.model,
          scaler: dataset.scaler,
          features: featureLists(dataset.features),
          calibration: trained.calibration,
          metadata,
        }),
      );
      const anomalyVersion = anomaly && modelVersionName('anomaly', createdAt, code.gitCommit);
      const anomalyDir =
        anomaly &&
        (await publishAnomalyChallenger(registry, anomaly, {
          version: anomalyVersion as string,
          createdAt: createdAt.getTime(),
          metrics: { ...gate.numbers },
        }));
      let updates: ModelUpdate[] = [];
      if (gate.promote) {
        updates = await promotePairVerified(
          registry,
          { risk: version, anomaly: anomalyVersion },
          featureLists(data.features),
          {
            reason: `retrainer (${options.trigger}): ${gate.reasons.join('; ')}`,
            metrics: { ...gate.numbers, ...flattenMetrics('period', challengerMetrics) },
            ...(anomaly ? { anomalyMetrics: { ...gate.numbers } } : {}),
            now: () => options.now().getTime(),
          },
        );
        for (const u of updates) await options.sendUpdate?.(u);
      }
      return {
        ...base,
        outcome: gate.promote ? 'promoted' : 'rejected',
        challenger: { version, bundleDir, metrics: challengerMetrics, var99: challengerVar },
        gate,
        update: updates[0] ?? null,
        updates,
        anomaly: anomaly && {
          champion: anomaly.champion,
          challenger: {
            version: anomalyVersion as string,
            bundleDir: anomalyDir as string,
            falseAlarms: anomaly.challenger.falseAlarms,
          },
          trainingSeconds: anomaly.trainingSeconds,
        },
        trainingSeconds,
        variants,
      };
    } finally {
      trained.model.dispose();
      anomaly?.model.dispose();
    }
  } finally {
    if (modelOwned) champion.model.dispose();
  }
}

function labelParam(meta: BundleMetadata, name: 'horizon' | 'k'): number {
  const v = meta.label[name];
  if (typeof v !== 'number') {
    throw new RangeError(
      `champion ${meta.version} metadata.label has no ${name} (have ${JSON.stringify(meta.label)})`,
    );
  }
  return v;
}

export const DEFAULT_FULL_TRAINING: FullTrainingOptions = {
  epochs: DEFAULT_RISK_TRAINING_OPTIONS.epochs,
  learningRate: DEFAULT_RISK_TRAINING_OPTIONS.learningRate,
  patience: DEFAULT_RISK_TRAINING_OPTIONS.patience,
};

/** The champion's architecture and regularisation from fresh weights, at train's schedule. */
function fullTrainingOptions(
  meta: BundleMetadata,
  full: FullTrainingOptions,
  ft: FineTuneOptions,
): Partial<RiskTrainingOptions> {
  return {
    ...championSettings(meta),
    epochs: full.epochs,
    learningRate: full.learningRate,
    patience: full.patience,
    batchSize: ft.batchSize,
    seed: ft.seed,
  };
}

/**
 * The champion's regularisation with the fine-tuning schedule on top; its layer sizes come from
 * the warm-start model itself.
 */
function fineTuneOptions(
  meta: BundleMetadata,
  ft: FineTuneOptions,
  model: tf.LayersModel,
): Partial<RiskTrainingOptions> {
  const { lstmUnits: _l, contextUnits: _c, denseUnits: _d, ...regularisation } = championSettings(meta);
  return {
    ...regularisation,
    epochs: ft.epochs,
    learningRate: ft.learningRate,
    batchSize: ft.batchSize,
    patience: ft.patience,
    seed: ft.seed,
    warmStart: { model, freeze: ft.freezeLstm ? [RISK_LSTM_LAYER] : [] },
  };
}

function challengerMetadata(
  meta: BundleMetadata,
  extra: {
    kind: CycleKind;
    championVersion: string;
    championMetrics: RiskMetrics;
    gate: GateDecision;
    trigger: CycleTrigger;
    frozen: boolean;
    worstDrift: number | null;
  },
): BundleMetadata {
  return {
    ...meta,
    hyperparameters: {
      ...meta.hyperparameters,
      retrainKind: extra.kind,
      warmStartFrom: extra.kind === 'fine-tune' ? extra.championVersion : '',
      challengerOf: extra.championVersion,
      frozenLayers: extra.kind === 'fine-tune' && extra.frozen ? RISK_LSTM_LAYER : '',
      retrainTrigger: extra.trigger,
      gateDecision: `${extra.gate.promote ? 'promote' : 'reject'}: ${extra.gate.reasons.join('; ')}`,
    },
    metrics: {
      ...meta.metrics,
      ...extra.gate.numbers,
      ...flattenMetrics('champion.test', extra.championMetrics),
      ...(extra.worstDrift !== null && Number.isFinite(extra.worstDrift)
        ? { 'drift.worstPsi': extra.worstDrift }
        : {}),
    },
  };
}

function recentBarsOf(series: RetrainData['series'], from: number) {
  return series.flatMap((s) => s.bars.filter((b) => b.bar.barEnd >= from));
}

function periodOf(dataset: RiskDataset): { from: number; samples: number } {
  return { from: dataset.boundaries.testStart, samples: dataset.test.size };
}

function featureLists(f: RiskFeatureNames): FeatureLists {
  return { market: [...f.market], macro: [...f.macro], sentiment: [...f.sentiment] };
}
