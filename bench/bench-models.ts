import type { FeatureLists } from '../services/models/bundle/bundle-schemas.js';
import { buildRiskModel, DEFAULT_RISK_MODEL_SIZE } from '../services/models/risk/risk-model.js';
import { preferOnnx } from '../services/models/runtime/onnx-serving.js';
import { TfjsRiskRuntime } from '../services/models/runtime/tfjs-risk-runtime.js';
import type { LoadedScoringModels } from '../services/scorer/bundle-scoring-models.js';
import { ladderFromThresholds } from '../services/scorer/severity-ladder.js';
import type { ScalerParams } from '../services/shared/contracts/scaler.js';

export interface BenchModels {
  loaded: LoadedScoringModels;
  riskRuntime: string;
  maxAbsDiff: number | null;
}

/**
 * Scoring models for the end-to-end figure without a trained bundle: the default-size risk model
 * (random weights: speed does not depend on them) served like a bundle would be (ONNX when parity
 * holds), identity scaling, and alert levels above 1 so no row is explained or alerted (random
 * weights would alert on everything). The anomaly model is left out (neutral verdicts): see
 * bench/results/README.md.
 */
export async function benchScoringModels(features: FeatureLists, seqLen: number): Promise<BenchModels> {
  const shape = {
    seqLen,
    marketWidth: features.market.length,
    macroWidth: features.macro.length,
    sentimentWidth: features.sentiment.length,
  };
  const model = buildRiskModel({ ...shape, ...DEFAULT_RISK_MODEL_SIZE, seed: 1 });
  const tfjs = new TfjsRiskRuntime(model, 'bench-risk', seqLen, features);
  const served = await preferOnnx(tfjs, model, shape);
  const identity = (names: string[]) => ({ names, mean: names.map(() => 0), std: names.map(() => 1) });
  const scaler: ScalerParams = {
    market: identity(features.market),
    macro: identity(features.macro),
    sentiment: identity(features.sentiment),
    clip: 5,
  };
  const never = { INFO: 2, WARNING: 2, CRITICAL: 2 };
  const runtime = served.runtime;
  return {
    riskRuntime: runtime.name,
    maxAbsDiff: served.maxAbsDiff,
    loaded: {
      scaler,
      seqLen,
      riskManifestSha256: 'bench',
      models: {
        riskVersion: 'bench-risk',
        riskHorizonBars: 5,
        anomalyVersion: 'bench-none',
        ladders: { risk: ladderFromThresholds(never, 0.9), anomaly: ladderFromThresholds(never, 0.9) },
        predictRisk: (batch) => runtime.predict(batch),
        explainRisk: (batch, rows, topK) => runtime.explainEvent(batch, rows, topK),
        scoreAnomalies: async (batch) =>
          batch.meta.map(() => ({ score: 0, smoothedError: 0, threshold: 1, contributions: [] })),
        dispose: () => runtime.dispose(),
      },
    },
  };
}
