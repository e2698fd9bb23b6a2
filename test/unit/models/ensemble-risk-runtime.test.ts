import { describe, expect, it } from 'vitest';
import { EnsembleRiskRuntime } from '../../../services/models/runtime/ensemble-risk-runtime.js';
import { riskOutputsFromHeads, tailMeasures } from '../../../services/models/runtime/risk-measures.js';
import type { RiskOutputs, RiskRuntime } from '../../../services/models/runtime/risk-runtime.js';
import type { FeatureContribution } from '../../../services/shared/contracts/records.js';
import type { SequenceBatch } from '../../../services/shared/contracts/sequence-batch.js';

/** A member that answers fixed heads for a 2-row batch and fixed contributions for every row. */
function fakeMember(
  version: string,
  heads: { event: number[]; vol: number[]; q01: number[]; q05: number[] },
  contributions: FeatureContribution[],
): RiskRuntime & { disposed: boolean; askedTopK: number[] } {
  return {
    name: 'fake',
    modelVersion: version,
    disposed: false,
    askedTopK: [],
    async predict(batch: SequenceBatch): Promise<RiskOutputs> {
      const quantiles = new Float32Array(2 * batch.size);
      for (let i = 0; i < batch.size; i++) {
        quantiles[2 * i] = heads.q01[i] as number;
        quantiles[2 * i + 1] = heads.q05[i] as number;
      }
      return riskOutputsFromHeads(
        batch.size,
        Float32Array.from(heads.event),
        Float32Array.from(heads.vol),
        quantiles,
      );
    },
    async explainEvent(_batch, rows, topK) {
      this.askedTopK.push(topK);
      return new Map(rows.map((r) => [r, contributions.slice(0, topK)]));
    },
    dispose() {
      this.disposed = true;
    },
  };
}

const batch: SequenceBatch = {
  size: 2,
  seqLen: 1,
  marketWidth: 2,
  macroWidth: 1,
  sentimentWidth: 1,
  market: new Float32Array(4),
  macro: new Float32Array(2),
  sentiment: new Float32Array(2),
  meta: [],
};

describe('EnsembleRiskRuntime', () => {
  const a = () =>
    fakeMember('risk-a', { event: [0.1, 0.4], vol: [0.01, 0.03], q01: [-0.1, -0.06], q05: [-0.04, -0.02] }, [
      { feature: 'logReturn', value: -0.02, contribution: 0.3 },
      { feature: 'ewmaVol', value: 0.01, contribution: -0.1 },
      { feature: 'macroX', value: 1, contribution: 0.05 },
    ]);
  const b = () =>
    fakeMember('risk-b', { event: [0.3, 0.2], vol: [0.03, 0.01], q01: [-0.06, -0.1], q05: [-0.02, -0.04] }, [
      { feature: 'ewmaVol', value: 0.01, contribution: -0.5 },
      { feature: 'logReturn', value: -0.02, contribution: 0.1 },
      { feature: 'macroX', value: 1, contribution: 0.05 },
    ]);

  it('answers the mean of its members, with ES derived from the mean quantiles', async () => {
    const ensemble = new EnsembleRiskRuntime([a(), b()]);
    const out = await ensemble.predict(batch);
    expect(ensemble.modelVersion).toBe('risk-a+risk-b');
    expect(ensemble.name).toBe('ensemble(2)-fake');
    expect(Array.from(out.eventProbability)).toEqual([
      Math.fround(Math.fround(0.1 + 0.3) / 2),
      Math.fround(Math.fround(0.4 + 0.2) / 2),
    ]);
    expect(out.volatility[0]).toBeCloseTo(0.02, 7);
    expect(out.q01[0]).toBeCloseTo(-0.08, 7);
    expect(out.q05[1]).toBeCloseTo(-0.03, 7);
    const expected = tailMeasures(-0.08, -0.03);
    expect(out.var99[0]).toBeCloseTo(expected.var99, 6);
    expect(out.es99[0]).toBeCloseTo(expected.es99, 6);
    expect(out.es95[0]).toBeCloseTo(expected.es95, 6);
  });

  it('explains with the mean contribution over every feature, ranked by size', async () => {
    const members = [a(), b()];
    const ensemble = new EnsembleRiskRuntime(members);
    const explained = await ensemble.explainEvent(batch, [1], 2);
    // Every member is asked for all 4 features, so a feature one member ranks low still counts.
    expect(members.map((m) => m.askedTopK)).toEqual([[4], [4]]);
    const top = explained.get(1) ?? [];
    expect(top.map((c) => c.feature)).toEqual(['ewmaVol', 'logReturn']);
    expect(top[0]?.contribution).toBeCloseTo(-0.3, 12);
    expect(top[1]?.contribution).toBeCloseTo(0.2, 12);
  });

  it('disposes every member and refuses an empty ensemble', () => {
    const members = [a(), b()];
    new EnsembleRiskRuntime(members).dispose();
    expect(members.every((m) => m.disposed)).toBe(true);
    expect(() => new EnsembleRiskRuntime([])).toThrow(/at least one member/);
  });
});
