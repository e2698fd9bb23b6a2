import * as tf from '@tensorflow/tfjs';
import type { SequenceBatch } from '../../shared/contracts/sequence-batch.js';
import type { RiskBundle } from '../risk/risk-bundle.js';
import { tailMeasureArrays } from './risk-measures.js';
import type { RiskOutputs, RiskRuntime } from './risk-runtime.js';

/** Serves a risk bundle's tfjs model on whichever backend selectTfBackend started. */
export class TfjsRiskRuntime implements RiskRuntime {
  readonly name: string;
  readonly modelVersion: string;
  private disposed = false;

  constructor(
    private readonly model: tf.LayersModel,
    modelVersion: string,
    private readonly shape: {
      seqLen: number;
      marketWidth: number;
      macroWidth: number;
      sentimentWidth: number;
    },
  ) {
    this.name = `tfjs-${tf.getBackend()}`;
    this.modelVersion = modelVersion;
  }

  async predict(batch: SequenceBatch): Promise<RiskOutputs> {
    if (this.disposed) throw new Error(`risk runtime for ${this.modelVersion} is disposed`);
    this.checkBatch(batch);
    const b = batch.size;
    const outputs = tf.tidy(
      () =>
        this.model.predict([
          tf.tensor3d(batch.market, [b, batch.seqLen, batch.marketWidth]),
          tf.tensor2d(batch.macro, [b, batch.macroWidth]),
          tf.tensor2d(batch.sentiment, [b, batch.sentimentWidth]),
        ]) as tf.Tensor[],
    );
    let data: Float32Array[];
    try {
      data = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
    } finally {
      for (const t of outputs) t.dispose();
    }
    const [event, vol, quantiles] = data as [Float32Array, Float32Array, Float32Array];
    const q01 = new Float32Array(b);
    const q05 = new Float32Array(b);
    for (let i = 0; i < b; i++) {
      q01[i] = quantiles[2 * i] as number;
      q05[i] = quantiles[2 * i + 1] as number;
    }
    return {
      size: b,
      eventProbability: Float32Array.from(event),
      volatility: Float32Array.from(vol),
      q01,
      q05,
      ...tailMeasureArrays(q01, q05),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private checkBatch(batch: SequenceBatch): void {
    const s = this.shape;
    const got = [batch.seqLen, batch.marketWidth, batch.macroWidth, batch.sentimentWidth];
    const want = [s.seqLen, s.marketWidth, s.macroWidth, s.sentimentWidth];
    if (got.some((g, i) => g !== want[i])) {
      throw new RangeError(
        `batch shape [L, F, M, S] = [${got.join(', ')}] does not match model ${this.modelVersion} [${want.join(', ')}]`,
      );
    }
    const sizes = [batch.market.length, batch.macro.length, batch.sentiment.length];
    const wantSizes = [
      batch.size * s.seqLen * s.marketWidth,
      batch.size * s.macroWidth,
      batch.size * s.sentimentWidth,
    ];
    if (sizes.some((g, i) => g !== wantSizes[i])) {
      throw new RangeError(
        `batch arrays hold [${sizes.join(', ')}] values, expected [${wantSizes.join(', ')}] for ${batch.size} sequences`,
      );
    }
  }
}

/** A runtime serving a loaded risk bundle; takes ownership of the bundle's model. */
export function createTfjsRiskRuntime(bundle: RiskBundle): TfjsRiskRuntime {
  return new TfjsRiskRuntime(bundle.model, bundle.metadata.version, {
    seqLen: bundle.metadata.seqLen,
    marketWidth: bundle.features.market.length,
    macroWidth: bundle.features.macro.length,
    sentimentWidth: bundle.features.sentiment.length,
  });
}
