import * as tf from '@tensorflow/tfjs';
import type { FeatureContribution } from '../../shared/contracts/records.js';
import type { SequenceBatch, SequenceMeta } from '../../shared/contracts/sequence-batch.js';
import type { FeatureLists } from '../bundle/bundle-schemas.js';
import type { RiskBundle } from '../risk/risk-bundle.js';
import { riskOutputsFromHeads } from './risk-measures.js';
import type { RiskOutputs, RiskRuntime } from './risk-runtime.js';

/** Serves a risk bundle's tfjs model on whichever backend selectTfBackend started. */
export class TfjsRiskRuntime implements RiskRuntime {
  readonly name: string;
  readonly modelVersion: string;
  private disposed = false;
  private readonly shape: { seqLen: number; marketWidth: number; macroWidth: number; sentimentWidth: number };

  constructor(
    private readonly model: tf.LayersModel,
    modelVersion: string,
    seqLen: number,
    private readonly features: FeatureLists,
  ) {
    this.name = `tfjs-${tf.getBackend()}`;
    this.modelVersion = modelVersion;
    this.shape = {
      seqLen,
      marketWidth: features.market.length,
      macroWidth: features.macro.length,
      sentimentWidth: features.sentiment.length,
    };
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
    return riskOutputsFromHeads(b, event, vol, quantiles);
  }

  async explainEvent(
    batch: SequenceBatch,
    rows: readonly number[],
    topK: number,
  ): Promise<Map<number, FeatureContribution[]>> {
    if (this.disposed) throw new Error(`risk runtime for ${this.modelVersion} is disposed`);
    this.checkBatch(batch);
    const out = new Map<number, FeatureContribution[]>();
    if (rows.length === 0 || topK <= 0) return out;
    for (const r of rows) {
      if (!(Number.isInteger(r) && r >= 0 && r < batch.size)) {
        throw new RangeError(`row ${r} is outside the batch of ${batch.size}`);
      }
    }
    const { seqLen: l, marketWidth: f, macroWidth: m, sentimentWidth: s } = this.shape;
    const parts = tf.tidy(() => {
      const idx = tf.tensor1d([...rows], 'int32');
      const market = tf.tensor3d(batch.market, [batch.size, l, f]).gather(idx);
      const macro = tf.tensor2d(batch.macro, [batch.size, m]).gather(idx);
      const sentiment = tf.tensor2d(batch.sentiment, [batch.size, s]).gather(idx);
      const eventSum = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        ((this.model.apply([a, b, c]) as tf.Tensor[])[0] as tf.Tensor).sum();
      const [gm, gma, gs] = tf.grads(eventSum)([market, macro, sentiment]) as [
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
      ];
      return [gm.mul(market).sum(1), gma.mul(macro), gs.mul(sentiment)];
    });
    let data: Float32Array[];
    try {
      data = (await Promise.all(parts.map((t) => t.data()))) as Float32Array[];
    } finally {
      for (const t of parts) t.dispose();
    }
    const [cm, cma, cs] = data as [Float32Array, Float32Array, Float32Array];
    rows.forEach((row, i) => {
      const meta = batch.meta[row];
      const all: FeatureContribution[] = [
        ...this.features.market.map((name, j) => ({
          feature: name,
          value: rawMarket(meta, name) ?? (batch.market[(row * l + l - 1) * f + j] as number),
          contribution: cm[i * f + j] as number,
        })),
        ...this.features.macro.map((name, j) => ({
          feature: name,
          value: meta?.macro[name] ?? (batch.macro[row * m + j] as number),
          contribution: cma[i * m + j] as number,
        })),
        ...this.features.sentiment.map((name, j) => ({
          feature: name,
          value: meta?.sentiment[name] ?? (batch.sentiment[row * s + j] as number),
          contribution: cs[i * s + j] as number,
        })),
      ];
      all.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      out.set(row, all.slice(0, topK));
    });
    return out;
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

function rawMarket(meta: SequenceMeta | undefined, name: string): number | undefined {
  const v = meta ? (meta.lastBar as unknown as Record<string, unknown>)[name] : undefined;
  return typeof v === 'number' ? v : undefined;
}

/** A runtime serving a loaded risk bundle; takes ownership of the bundle's model. */
export function createTfjsRiskRuntime(bundle: RiskBundle): TfjsRiskRuntime {
  return new TfjsRiskRuntime(bundle.model, bundle.metadata.version, bundle.metadata.seqLen, bundle.features);
}
