import { concatMap, lastValueFrom, map, range, timer, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ModelHolder } from '../../../services/scorer/model-holder.js';
import { scoreBatches } from '../../../services/scorer/score-batches.js';
import type { ScoringModels } from '../../../services/scorer/scoring-models.js';
import { ladderFromThresholds } from '../../../services/scorer/severity-ladder.js';
import type { SequenceBatch } from '../../../services/shared/contracts/sequence-batch.js';
import { sampleRecords } from '../../fixtures/sample-records.js';

const ladder = ladderFromThresholds({ INFO: 0.3, WARNING: 0.5, CRITICAL: 0.8 }, 0.8);

/** A model set that takes a few ms per batch (so swaps land while batches are in flight). */
function fakeModels(version: string, log: { disposed: string[] }): ScoringModels {
  const fill = (n: number, v: number) => new Float32Array(n).fill(v);
  return {
    riskVersion: version,
    riskHorizonBars: 5,
    anomalyVersion: `a-${version}`,
    ladders: { risk: ladder, anomaly: ladder },
    predictRisk: async (b) => {
      await new Promise((r) => setTimeout(r, 2));
      return {
        eventProbability: fill(b.size, 0.1),
        volatility: fill(b.size, 0.01),
        var95: fill(b.size, -0.02),
        var99: fill(b.size, -0.03),
        es95: fill(b.size, -0.03),
        es99: fill(b.size, -0.04),
      };
    },
    explainRisk: async () => new Map(),
    scoreAnomalies: async (b) =>
      b.meta.map(() => ({ score: 0, smoothedError: 0, threshold: 0, contributions: [] })),
    dispose: () => log.disposed.push(version),
  };
}

function batch(i: number, size: number): SequenceBatch {
  return {
    size,
    seqLen: 1,
    marketWidth: 1,
    macroWidth: 0,
    sentimentWidth: 0,
    market: new Float32Array(size),
    macro: new Float32Array(0),
    sentiment: new Float32Array(0),
    meta: Array.from({ length: size }, (_, j) => ({
      symbol: `S${j}`,
      barTime: i,
      lastBar: sampleRecords.MarketBar,
      macro: {},
      sentiment: {},
      ack: () => {},
    })),
  };
}

describe('hot model swap under load', () => {
  it('scores every row exactly once, each batch wholly by one version, and disposes the old set after its last batch', async () => {
    const log = { disposed: [] as string[] };
    const holder = new ModelHolder(fakeModels('v1', log));
    const scored$ = range(0, 200).pipe(
      concatMap((i) =>
        timer(0).pipe(
          map(() => {
            // Swaps land while earlier batches are still queued or being scored.
            if (i === 50) holder.swap(fakeModels('v2', log));
            if (i === 120) holder.swap(fakeModels('v3', log));
            return batch(i, 7);
          }),
        ),
      ),
      scoreBatches({ holder, explanationTopK: 3, explainAbove: () => 0.3, now: () => 0 }),
    );
    const out = await lastValueFrom(scored$.pipe(toArray()));

    const ids = out.flat().map((s) => `${s.meta.symbol}|${s.meta.barTime}`);
    expect(ids).toHaveLength(200 * 7);
    expect(new Set(ids).size).toBe(200 * 7);
    for (const items of out) expect(new Set(items.map((s) => s.score.modelVersion)).size).toBe(1);
    const versions = out.map((items) => items[0]?.score.modelVersion);
    expect(versions[0]).toBe('v1');
    expect(versions.at(-1)).toBe('v3');
    // Versions only move forward: no batch is scored by a replaced set.
    expect([...versions].sort()).toEqual(versions);
    expect(log.disposed).toEqual(['v1', 'v2']);
  });
});
