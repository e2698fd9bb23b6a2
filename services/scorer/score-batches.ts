import { concatMap, type OperatorFunction } from 'rxjs';
import type { SequenceBatch } from '../shared/contracts/sequence-batch.js';
import type { ModelHolder } from './model-holder.js';
import type { ScoredItem } from './scored-item.js';

export interface ScoreBatchesOptions {
  holder: ModelHolder;
  explanationTopK: number;
  /** Explanations cost a gradient pass; compute them only for rows at or above this probability. */
  explainAbove: () => number;
  now: () => number;
  /** Called after each batch with its size and inference seconds (metrics). */
  observe?: (size: number, seconds: number) => void;
}

/**
 * Runs both models on each tensor batch (one model set per batch, see ModelHolder) and turns the
 * outputs into ScoredItems with deterministic RiskScore ids. Batches are scored one at a time, in
 * order, so per-symbol model state (the anomaly forecaster) sees bars in order.
 */
export function scoreBatches(options: ScoreBatchesOptions): OperatorFunction<SequenceBatch, ScoredItem[]> {
  return concatMap(async (batch) => {
    const models = options.holder.acquire();
    try {
      const started = process.hrtime.bigint();
      const risk = await models.predictRisk(batch);
      const anomalies = await models.scoreAnomalies(batch);
      const threshold = options.explainAbove();
      const rows: number[] = [];
      for (let i = 0; i < batch.size; i++)
        if ((risk.eventProbability[i] as number) >= threshold) rows.push(i);
      const explanations =
        rows.length > 0 ? await models.explainRisk(batch, rows, options.explanationTopK) : new Map();
      options.observe?.(batch.size, Number(process.hrtime.bigint() - started) / 1e9);
      const scoredAt = options.now();
      return batch.meta.map((meta, i): ScoredItem => {
        const anomaly = anomalies[i] ?? { score: 0, smoothedError: 0, threshold: 0, contributions: [] };
        return {
          meta,
          riskExplanation: explanations.get(i) ?? [],
          anomaly,
          score: {
            id: `${meta.symbol}|${meta.barTime}|${models.riskVersion}`,
            symbol: meta.symbol,
            barTime: meta.barTime,
            eventProbability: risk.eventProbability[i] as number,
            volatilityForecast: risk.volatility[i] as number,
            var95: risk.var95[i] as number,
            var99: risk.var99[i] as number,
            es95: risk.es95[i] as number,
            es99: risk.es99[i] as number,
            anomalyScore: anomaly.score,
            modelVersion: models.riskVersion,
            anomalyModelVersion: models.anomalyVersion,
            scoredAt,
          },
        };
      });
    } finally {
      options.holder.release(models);
    }
  });
}
