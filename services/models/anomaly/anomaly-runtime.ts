import type * as tf from '@tensorflow/tfjs';
import type { SequenceBatch } from '../../shared/contracts/sequence-batch.js';
import type { AnomalyBundleContent } from './anomaly-bundle.js';
import { type AnomalyScore, AnomalyScorer } from './anomaly-scorer.js';
import { ForecasterRuntime } from './forecaster-runtime.js';

/**
 * The served anomaly model: the tfjs forecaster run batched over a SequenceBatch, and the
 * per-symbol AnomalyScorer that compares each forecast with the symbol's next bar. One instance
 * keeps the streaming state of every symbol it has seen; feed it batches in time order.
 */
export class AnomalyModel {
  readonly version: string;
  private readonly runtime: ForecasterRuntime;
  private readonly scorer: AnomalyScorer;

  constructor(
    private readonly model: tf.LayersModel,
    readonly content: AnomalyBundleContent,
    /** Forecaster batch size; a SequenceBatch is cut into chunks of this size. */
    chunkSize = 32,
  ) {
    this.version = content.version;
    this.runtime = new ForecasterRuntime(model, content.spec, chunkSize);
    this.scorer = new AnomalyScorer({
      marketFeatures: content.spec.inputFeatures,
      targetFeatures: content.spec.targetFeatures,
      tracker: content.tracker,
    });
  }

  /** Throws unless batches have this model's window length and market features. */
  assertCompatible(batch: Pick<SequenceBatch, 'seqLen' | 'marketWidth'>): void {
    const spec = this.content.spec;
    if (batch.seqLen !== spec.seqLen || batch.marketWidth !== spec.inputFeatures.length) {
      throw new RangeError(
        `anomaly model ${this.version} reads windows of ${spec.seqLen} bars x ${spec.inputFeatures.length} market features, the batch has ${batch.seqLen} x ${batch.marketWidth}`,
      );
    }
  }

  /** Forecasts of the bar after each window, [size, targets], scaled. */
  forecast(batch: SequenceBatch): Float32Array {
    this.assertCompatible(batch);
    return this.runtime.forecast(batch.market, batch.size);
  }

  /** Scores each window's newest bar against the previous forecast, then stores the new forecasts. */
  scoreBatch(batch: SequenceBatch): AnomalyScore[] {
    return this.scorer.score(batch, this.forecast(batch));
  }

  dispose(): void {
    this.model.dispose();
  }
}
