import type { RiskLabelParams } from '../../models/risk/risk-labels.js';
import type { JoinedBar } from '../../shared/contracts/sequence-batch.js';
import type { LabelledSample } from '../walk-forward.js';

/** What every baseline is fitted from: the bars (read only up to each sample's bar t) and the label definition. */
export interface BaselineContext {
  bars: ReadonlyMap<string, readonly JoinedBar[]>;
  labels: RiskLabelParams;
  /** Market feature names (MarketBar fields) in the order the feature vector uses. */
  marketFeatures: readonly string[];
}

/** A baseline after fitting: scores any sample from bars up to its t, never from later bars. */
export interface FittedBaseline {
  name: string;
  /** What was fitted (for the report and for the "post-cutoff data changes nothing" test). */
  params: Record<string, number | string>;
  score(samples: readonly LabelledSample[]): Float64Array;
}

function barAt(ctx: BaselineContext, s: LabelledSample): JoinedBar {
  const bar = ctx.bars.get(s.symbol)?.[s.t];
  if (bar === undefined) throw new RangeError(`no bar ${s.t} for ${s.symbol}`);
  return bar;
}

/** The last bar's features: its market fields, then its macro and sentiment vectors (raw values). */
export function lastBarFeatures(ctx: BaselineContext, s: LabelledSample): number[] {
  const jb = barAt(ctx, s);
  const row = jb.bar as unknown as Record<string, number>;
  return [...ctx.marketFeatures.map((n) => row[n] as number), ...jb.macro, ...jb.sentiment];
}

export interface Standardizer {
  mean: number[];
  std: number[];
}

/**
 * Mean and population std per column over the fit rows, non-finite values skipped. A constant
 * column gets std 1 so it standardises to 0 and carries no weight.
 */
export function fitStandardizer(rows: readonly (readonly number[])[]): Standardizer {
  const width = rows[0]?.length ?? 0;
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < width; j++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (const r of rows) {
      const v = r[j] as number;
      if (!Number.isFinite(v)) continue;
      n++;
      sum += v;
      sq += v * v;
    }
    const m = n > 0 ? sum / n : 0;
    const variance = n > 0 ? Math.max(0, sq / n - m * m) : 0;
    mean.push(m);
    std.push(variance > 1e-24 ? Math.sqrt(variance) : 1);
  }
  return { mean, std };
}

/** Standardised copy of a row, non-finite values (e.g. macro before its first release) set to 0 = the mean. */
export function standardize(row: readonly number[], s: Standardizer): number[] {
  return row.map((v, j) => (Number.isFinite(v) ? (v - (s.mean[j] as number)) / (s.std[j] as number) : 0));
}

/**
 * The threshold at which `rate` of the scores alert (score >= threshold): the score at rank
 * ceil(rate * n) from the top. Baselines use it on their fit-period scores with the model's
 * validation alert rate at its WARNING threshold, so every scorer alerts about equally often and
 * precision / recall / F1 compare ranking quality rather than alert volume.
 */
export function thresholdForRate(scores: ArrayLike<number>, rate: number): number {
  const n = scores.length;
  if (n === 0) throw new RangeError('cannot choose a threshold on no scores');
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`alert rate must be in (0, 1], got ${rate}`);
  const sorted = Float64Array.from(scores).sort().reverse();
  const rank = Math.min(n, Math.max(1, Math.ceil(rate * n)));
  return sorted[rank - 1] as number;
}
