import { normalUpperTail } from '../../models/anomaly/normal-tail.js';
import { brierScore } from '../../models/evaluation/probability-metrics.js';
import { rocAuc } from '../../models/evaluation/ranking-metrics.js';
import type { LabelledSample } from '../walk-forward.js';
import type { BaselineContext, FittedBaseline } from './baseline.js';

/** Grids the rule is fitted over, on the fit samples. */
export const EWMA_DECAYS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.94, 0.97] as const;
export const EWMA_SCALES = Array.from({ length: 31 }, (_, i) => 0.5 + 0.05 * i);

/**
 * The EWMA-volatility rule. The event is min_h r_{t,h} < -k sigma_t sqrt(H) (risk-labels.ts), with
 * sigma_t the bar's own ewmaVol. If the next H returns were i.i.d. normal with per-bar sd s, the
 * reflection principle gives P(min of the path < -a) ~ 2 Phi(-a / (s sqrt H)), so
 *   p_t = min(1, 2 Phi(-k sigma_t / s_t)),   s_t = c * sqrt(EWMA_lambda of r^2 up to bar t).
 * With lambda = 0.94 (the ingest's decay) s_t is proportional to sigma_t and p is constant; a faster
 * decay reacts to the last few days, which is what a volatility rule has to offer. Both are fitted
 * on the fit samples only; c also absorbs the discrete monitoring (the path
 * is observed at H points, not continuously) and fat tails. lambda is picked by fit-period ROC-AUC
 * (a lower ratio sigma_t / s_t means a higher probability), c by fit-period Brier score.
 */
export function fitEwmaVolBaseline(ctx: BaselineContext, fit: readonly LabelledSample[]): FittedBaseline {
  if (fit.length === 0) throw new RangeError('the EWMA baseline needs fit samples before the cutoff');
  const labels = Float64Array.from(fit, (s) => s.event);
  // The decay decides the ranking, the scale only the level: lambda by fit-period ROC-AUC (the
  // Brier score alone prefers a constant forecast whenever the signal is weak), then c by Brier.
  let lambda: number = EWMA_DECAYS[0];
  let bestAuc = Number.NEGATIVE_INFINITY;
  for (const candidate of EWMA_DECAYS) {
    const auc = rocAuc(
      Float64Array.from(ewmaRatios(ctx, fit, candidate), (r) => -r),
      labels,
    );
    if (auc > bestAuc) {
      bestAuc = auc;
      lambda = candidate;
    }
  }
  const ratio = ewmaRatios(ctx, fit, lambda);
  let best = { scale: 1, brier: Number.POSITIVE_INFINITY };
  for (const scale of EWMA_SCALES) {
    const brier = brierScore(probabilities(ratio, ctx.labels.k, scale), labels);
    if (brier < best.brier) best = { scale, brier };
  }
  const { scale } = best;
  return {
    name: 'ewmaVol',
    params: { lambda, scale, fitRocAuc: bestAuc, fitBrier: best.brier },
    score: (samples) => probabilities(ewmaRatios(ctx, samples, lambda), ctx.labels.k, scale),
  };
}

/** sigma_t / sqrt(EWMA_lambda r^2 at t) per sample (Infinity when the EWMA is 0: no recent movement). */
function ewmaRatios(ctx: BaselineContext, samples: readonly LabelledSample[], lambda: number): Float64Array {
  const cache = new Map<string, Float64Array>();
  const out = new Float64Array(samples.length);
  samples.forEach((s, i) => {
    let vols = cache.get(s.symbol);
    if (vols === undefined) {
      vols = ewmaVolSeries(
        (ctx.bars.get(s.symbol) ?? []).map((b) => b.bar.logReturn),
        lambda,
      );
      cache.set(s.symbol, vols);
    }
    const bar = ctx.bars.get(s.symbol)?.[s.t];
    const sigma = bar?.bar.ewmaVol ?? Number.NaN;
    const v = vols[s.t] as number;
    out[i] = v > 0 ? sigma / v : Number.POSITIVE_INFINITY;
  });
  return out;
}

/**
 * sqrt of s2_t = lambda s2_{t-1} + (1 - lambda) r_t^2, s2_1 = r_1^2 (bar 0 has no return). Causal:
 * entry t reads returns 0..t only, so later bars cannot change it.
 */
export function ewmaVolSeries(returns: readonly number[], lambda: number): Float64Array {
  const out = new Float64Array(returns.length);
  let s2 = 0;
  for (let t = 0; t < returns.length; t++) {
    const r = Number.isFinite(returns[t]) ? (returns[t] as number) : 0;
    s2 = t <= 1 ? r * r : lambda * s2 + (1 - lambda) * r * r;
    out[t] = Math.sqrt(s2);
  }
  return out;
}

function probabilities(ratio: Float64Array, k: number, scale: number): Float64Array {
  return ratio.map((r) => Math.min(1, 2 * normalUpperTail((k * r) / scale)));
}
