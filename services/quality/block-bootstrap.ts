import { rocAuc } from '../models/evaluation/ranking-metrics.js';
import { SeededRandom } from '../models/training/seeded-random.js';
import { stratifiedRocAuc } from './stratified-auc.js';

/**
 * How sure a ROC-AUC comparison is. Samples are not independent: a ticker's consecutive bars share
 * most of their label horizon, and a stress episode moves many tickers in the same weeks. So the
 * resampling unit is a block of consecutive bars of one ticker (blockBars long), drawn with
 * replacement until the resample has as many blocks as the original. Percentile intervals.
 */
export interface BootstrapOptions {
  /** Bars per block; default 20 (about a trading month, four label horizons). */
  blockBars?: number;
  resamples?: number;
  seed?: number;
  /** Two-sided coverage; default 0.95. */
  level?: number;
  /**
   * Stratum per sample (e.g. the walk-forward fold): ROC-AUCs then count only pairs within a
   * stratum (stratifiedRocAuc). Blocks should not cross strata.
   */
  strata?: ArrayLike<number>;
}

export interface AucInterval {
  rocAuc: number;
  low: number;
  high: number;
}

export interface AucComparison {
  /** Per scorer: its ROC-AUC on the sample and the percentile interval over resamples. */
  scorers: Record<string, AucInterval>;
  /** model minus each other scorer, with the interval of the difference and P(difference <= 0). */
  differences: Record<string, AucInterval & { shareNotAbove: number }>;
  blocks: number;
  resamples: number;
  /** Resamples in which some scorer's AUC was undefined (one class missing) are skipped. */
  skipped: number;
}

/** Blocks of sample indices: consecutive runs of `blockBars` samples within each group (ticker). */
export function sampleBlocks(groups: readonly (readonly number[])[], blockBars: number): number[][] {
  if (!(Number.isInteger(blockBars) && blockBars >= 1)) {
    throw new RangeError(`blockBars must be an integer >= 1, got ${blockBars}`);
  }
  const blocks: number[][] = [];
  for (const g of groups)
    for (let i = 0; i < g.length; i += blockBars) blocks.push(g.slice(i, i + blockBars));
  return blocks;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Block-bootstrap intervals of each scorer's ROC-AUC and of `model` minus every other scorer.
 * `groups` are the sample indices per ticker in time order (indicesBySymbol).
 */
export function compareAucs(
  scores: Readonly<Record<string, ArrayLike<number>>>,
  labels: ArrayLike<number>,
  groups: readonly (readonly number[])[],
  options: BootstrapOptions = {},
): AucComparison {
  const names = Object.keys(scores);
  if (!names.includes('model')) throw new RangeError(`scores must include "model", got ${names.join(', ')}`);
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const blocks = sampleBlocks(groups, options.blockBars ?? 20);
  const rng = new SeededRandom(options.seed ?? 7);
  const { strata } = options;
  const auc = (s: ArrayLike<number>, y: ArrayLike<number>, st: ArrayLike<number> | undefined) =>
    st === undefined ? rocAuc(s, y) : stratifiedRocAuc(s, y, st);
  const draws: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const diffs: Record<string, number[]> = Object.fromEntries(
    names.filter((n) => n !== 'model').map((n) => [n, []]),
  );
  let skipped = 0;
  const picked: number[] = [];
  for (let r = 0; r < resamples; r++) {
    picked.length = 0;
    for (let b = 0; b < blocks.length; b++)
      for (const i of blocks[rng.nextInt(blocks.length)] as number[]) picked.push(i);
    const y = Float64Array.from(picked, (i) => labels[i] as number);
    const st = strata === undefined ? undefined : Float64Array.from(picked, (i) => strata[i] as number);
    const aucs = names.map((n) => {
      const s = scores[n] as ArrayLike<number>;
      return auc(
        Float64Array.from(picked, (i) => s[i] as number),
        y,
        st,
      );
    });
    if (aucs.some((a) => Number.isNaN(a))) {
      skipped++;
      continue;
    }
    const model = aucs[names.indexOf('model')] as number;
    names.forEach((n, k) => {
      (draws[n] as number[]).push(aucs[k] as number);
      if (n !== 'model') (diffs[n] as number[]).push(model - (aucs[k] as number));
    });
  }
  const lowQ = (1 - level) / 2;
  const interval = (point: number, values: number[]): AucInterval => {
    const sorted = [...values].sort((a, b) => a - b);
    return { rocAuc: point, low: quantile(sorted, lowQ), high: quantile(sorted, 1 - lowQ) };
  };
  const point = (n: string) => auc(scores[n] as ArrayLike<number>, labels, strata);
  const modelPoint = point('model');
  return {
    scorers: Object.fromEntries(names.map((n) => [n, interval(point(n), draws[n] as number[])])),
    differences: Object.fromEntries(
      Object.entries(diffs).map(([n, d]) => [
        n,
        {
          ...interval(modelPoint - point(n), d),
          shareNotAbove: d.length > 0 ? d.filter((x) => x <= 0).length / d.length : Number.NaN,
        },
      ]),
    ),
    blocks: blocks.length,
    resamples,
    skipped,
  };
}
