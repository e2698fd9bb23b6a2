import type { FeatureContribution } from '../../shared/contracts/records.js';
import type { SequenceBatch } from '../../shared/contracts/sequence-batch.js';
import { tailMeasureArrays } from './risk-measures.js';
import type { RiskOutputs, RiskRuntime } from './risk-runtime.js';

/**
 * Serves several risk models trained alike (same data, features, scaler and split; different
 * seeds) as one: every output is the members' mean. Networks this small and data this noisy
 * give seed-to-seed ROC-AUC spreads of several hundredths; the mean of K members cancels part
 * of that variance without changing the architecture.
 *
 * Means per quantity: the event probability (a linear pool), the volatility, and the quantiles
 * (averaging quantiles, "Vincentization", keeps q01 <= q05 because every member's do); ES is then
 * derived from the averaged quantiles by the same rule as a single model's, not averaged itself.
 */
export class EnsembleRiskRuntime implements RiskRuntime {
  readonly name: string;
  readonly modelVersion: string;

  constructor(private readonly members: readonly RiskRuntime[]) {
    if (members.length < 1) throw new RangeError('an ensemble needs at least one member, got 0');
    this.name = `ensemble(${members.length})-${(members[0] as RiskRuntime).name}`;
    this.modelVersion = members.map((m) => m.modelVersion).join('+');
  }

  async predict(batch: SequenceBatch): Promise<RiskOutputs> {
    const outputs = await Promise.all(this.members.map((m) => m.predict(batch)));
    const size = batch.size;
    const mean = (pick: (o: RiskOutputs) => Float32Array) => {
      const out = new Float32Array(size);
      for (const o of outputs) {
        const a = pick(o);
        for (let i = 0; i < size; i++) out[i] = (out[i] as number) + (a[i] as number);
      }
      for (let i = 0; i < size; i++) out[i] = (out[i] as number) / outputs.length;
      return out;
    };
    const q01 = mean((o) => o.q01);
    const q05 = mean((o) => o.q05);
    return {
      size,
      eventProbability: mean((o) => o.eventProbability),
      volatility: mean((o) => o.volatility),
      q01,
      q05,
      ...tailMeasureArrays(q01, q05),
    };
  }

  /**
   * The contribution to the mean probability is the mean of the members' contributions (the
   * gradient is linear), so every member explains every feature and the means are ranked.
   */
  async explainEvent(
    batch: SequenceBatch,
    rows: readonly number[],
    topK: number,
  ): Promise<Map<number, FeatureContribution[]>> {
    const everyFeature = batch.marketWidth + batch.macroWidth + batch.sentimentWidth;
    const explained = await Promise.all(this.members.map((m) => m.explainEvent(batch, rows, everyFeature)));
    const result = new Map<number, FeatureContribution[]>();
    for (const row of rows) {
      const byFeature = new Map<string, FeatureContribution>();
      for (const member of explained) {
        for (const c of member.get(row) ?? []) {
          const seen = byFeature.get(c.feature);
          const share = c.contribution / explained.length;
          if (seen) seen.contribution += share;
          else byFeature.set(c.feature, { feature: c.feature, value: c.value, contribution: share });
        }
      }
      result.set(
        row,
        [...byFeature.values()]
          .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
          .slice(0, topK),
      );
    }
    return result;
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
