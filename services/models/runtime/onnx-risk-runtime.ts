import * as ort from 'onnxruntime-node';
import type { FeatureContribution } from '../../shared/contracts/records.js';
import type { SequenceBatch } from '../../shared/contracts/sequence-batch.js';
import { RISK_INPUTS, RISK_OUTPUTS } from '../risk/risk-model.js';
import { riskOutputsFromHeads } from './risk-measures.js';
import type { RiskOutputs, RiskRuntime } from './risk-runtime.js';

export interface OnnxRiskRuntimeOptions {
  /** intra-op threads; 1 scores a batch on one core (the per-core figure), 0 lets ORT choose. */
  threads?: number;
}

/**
 * Serves the risk model's ONNX export with onnxruntime-node. Gradients are not available in the
 * ONNX graph, so explanations (a handful of rows per batch) are delegated to the tfjs runtime on
 * the same weights, which also stays the fallback.
 */
export class OnnxRiskRuntime implements RiskRuntime {
  readonly name: string;
  private disposed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly modelVersion: string,
    private readonly explainer: RiskRuntime,
    threads: number,
  ) {
    this.name = `onnxruntime-node-${threads === 0 ? 'auto' : threads}t`;
  }

  static async create(
    onnx: Uint8Array,
    explainer: RiskRuntime,
    options: OnnxRiskRuntimeOptions = {},
  ): Promise<OnnxRiskRuntime> {
    const threads = options.threads ?? 1;
    const session = await ort.InferenceSession.create(onnx, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new OnnxRiskRuntime(session, explainer.modelVersion, explainer, threads);
  }

  async predict(batch: SequenceBatch): Promise<RiskOutputs> {
    if (this.disposed) throw new Error(`risk runtime for ${this.modelVersion} is disposed`);
    const b = batch.size;
    const [market, macro, sentiment] = RISK_INPUTS;
    const feeds = {
      [market]: new ort.Tensor('float32', batch.market, [b, batch.seqLen, batch.marketWidth]),
      [macro]: new ort.Tensor('float32', batch.macro, [b, batch.macroWidth]),
      [sentiment]: new ort.Tensor('float32', batch.sentiment, [b, batch.sentimentWidth]),
    };
    const result = await this.session.run(feeds);
    const [event, vol, quantiles] = RISK_OUTPUTS.map((n) => {
      const t = result[n];
      if (!t) throw new Error(`ONNX session returned no ${n} output`);
      return t.data as Float32Array;
    }) as [Float32Array, Float32Array, Float32Array];
    return riskOutputsFromHeads(b, event, vol, quantiles);
  }

  explainEvent(
    batch: SequenceBatch,
    rows: readonly number[],
    topK: number,
  ): Promise<Map<number, FeatureContribution[]>> {
    return this.explainer.explainEvent(batch, rows, topK);
  }

  /** Frees the ONNX session but not the tfjs explainer (used when parity fails and tfjs serves). */
  async releaseSession(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.session.release();
    this.explainer.dispose();
  }
}
