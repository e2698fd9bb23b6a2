import type { FeatureContribution } from '../../shared/contracts/records.js';
import type { SequenceBatch } from '../../shared/contracts/sequence-batch.js';

/**
 * The risk model's outputs for a batch of B sequences, one Float32Array [B] per quantity, in the
 * batch's row order. Returns are H-bar log returns (negative = loss); see risk-measures.ts for
 * how VaR and ES follow from q01 and q05.
 */
export interface RiskOutputs {
  size: number;
  /** Probability of a risk event within the next H bars. */
  eventProbability: Float32Array;
  /** Forecast per-bar realized volatility over the next H bars. */
  volatility: Float32Array;
  /** 1% and 5% quantiles of the next-H-bar cumulative log return (q01 <= q05). */
  q01: Float32Array;
  q05: Float32Array;
  /** VaR99 = q01, VaR95 = q05. */
  var99: Float32Array;
  var95: Float32Array;
  /** Expected shortfall beyond VaR95 / VaR99 (exponential-tail estimate from the quantiles). */
  es95: Float32Array;
  es99: Float32Array;
}

/**
 * Serves the risk model. TensorFlow.js implements it today; another runtime (e.g. onnxruntime-node)
 * only has to map a SequenceBatch to the same outputs.
 */
export interface RiskRuntime {
  /** Runtime and backend, e.g. tfjs-wasm; shows in logs and metrics. */
  readonly name: string;
  /** Version of the bundle the runtime serves. */
  readonly modelVersion: string;
  predict(batch: SequenceBatch): Promise<RiskOutputs>;
  /**
   * The topK features contributing most (by absolute value) to the event probability of each of
   * `rows`, largest first, keyed by row. Contributions are first-order: d p / d x times the scaled
   * input x (0 = the training mean), market features summed over the L bars. `value` is the raw
   * value from the batch's meta when present (the newest bar's for market features).
   */
  explainEvent(
    batch: SequenceBatch,
    rows: readonly number[],
    topK: number,
  ): Promise<Map<number, FeatureContribution[]>>;
  /** Frees the model's memory; predict must not be called afterwards. */
  dispose(): void;
}
