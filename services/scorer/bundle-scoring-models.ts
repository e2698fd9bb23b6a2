import { loadAnomalyBundle } from '../models/anomaly/anomaly-bundle.js';
import { AnomalyModel } from '../models/anomaly/anomaly-runtime.js';
import type { FeatureLists } from '../models/bundle/bundle-schemas.js';
import type { ModelRegistry } from '../models/registry/model-registry.js';
import { severityEnterLevels } from '../models/risk/risk-calibration.js';
import { DEFAULT_RISK_LABEL_PARAMS } from '../models/risk/risk-labels.js';
import { loadServingRiskModel, type ServingRuntimeOptions } from '../models/runtime/load-risk-runtime.js';
import type { ScorerConfig } from '../shared/config/scorer-config.js';
import { type ScalerParams, sameScaling } from '../shared/contracts/scaler.js';
import type { ScoringModels } from './scoring-models.js';
import { ladderFromThresholds } from './severity-ladder.js';

export interface LoadedScoringModels {
  models: ScoringModels;
  /** The scaler the windowing stage must use for these models. */
  scaler: ScalerParams;
  seqLen: number;
  riskManifestSha256: string;
}

/**
 * Loads the registry's current risk and anomaly bundles (or the named versions), verifies them
 * against the running pipeline (feature lists, window length, shared market scaling), and wraps
 * them as the scorer's ScoringModels. Throws with the reason when a bundle cannot be served.
 */
export async function loadScoringModels(
  registry: ModelRegistry,
  features: FeatureLists,
  scorer: ScorerConfig,
  versions: { risk?: string; anomaly?: string } = {},
  serving: ServingRuntimeOptions = {},
): Promise<LoadedScoringModels> {
  const risk = await loadServingRiskModel(registry, features, versions.risk, serving);
  const anomalyVersion = versions.anomaly ?? (await registry.current('anomaly'));
  if (anomalyVersion === null) {
    risk.runtime.dispose();
    throw new Error(
      `no current anomaly model in ${registry.root}: train one (risk-monitor train) or promote a version`,
    );
  }
  const { content, model } = await loadAnomalyBundle(registry.bundleDir('anomaly', anomalyVersion));
  const anomaly = new AnomalyModel(model, content);
  const problems: string[] = [];
  if (content.spec.seqLen !== risk.metadata.seqLen) {
    problems.push(`window length: risk ${risk.metadata.seqLen} bars, anomaly ${content.spec.seqLen}`);
  }
  if (!sameScaling(content.scaler.market, risk.scaler.market)) {
    problems.push(
      'market scaling differs: both models must be trained with the same scaler (one training run)',
    );
  }
  if (problems.length > 0) {
    risk.runtime.dispose();
    anomaly.dispose();
    throw new Error(
      `risk ${risk.metadata.version} and anomaly ${anomalyVersion} cannot serve together: ${problems.join('; ')}`,
    );
  }
  const ladders = {
    risk: ladderFromThresholds(severityEnterLevels(risk.calibration), risk.calibration.hysteresis),
    anomaly: ladderFromThresholds(
      { INFO: scorer.anomalyInfo, WARNING: scorer.anomalyWarning, CRITICAL: scorer.anomalyCritical },
      scorer.anomalyHysteresis,
    ),
  };
  const models: ScoringModels = {
    riskVersion: risk.metadata.version,
    riskHorizonBars: risk.metadata.label.horizon ?? DEFAULT_RISK_LABEL_PARAMS.horizon,
    anomalyVersion,
    ladders,
    predictRisk: (batch) => risk.runtime.predict(batch),
    explainRisk: (batch, rows, topK) => risk.runtime.explainEvent(batch, rows, topK),
    scoreAnomalies: async (batch) =>
      anomaly.scoreBatch(batch).map((a) => ({
        score: a.score,
        smoothedError: a.smoothedError,
        threshold: a.threshold,
        contributions: a.contributions,
      })),
    dispose: () => {
      risk.runtime.dispose();
      anomaly.dispose();
    },
  };
  return {
    models,
    scaler: risk.scaler,
    seqLen: risk.metadata.seqLen,
    riskManifestSha256: risk.manifestSha256,
  };
}
