import type { RiskOutputs } from './risk-runtime.js';
/**
 * VaR and expected shortfall of the H-bar log return from the model's two quantiles, assuming an
 * exponential lower tail through them: the quantile function below the 5% level is
 *   q(u) = q01 + b * ln(u / 0.01),   b = (q05 - q01) / ln 5  (>= 0 because q01 <= q05),
 * which passes through q(0.01) = q01 and q(0.05) = q05. Then for alpha in {0.01, 0.05}
 *   ES_alpha = (1 / alpha) * integral_0^alpha q(u) du = q_alpha - b.
 * All values are log returns: negative numbers are losses (the RiskScore convention).
 */
export interface TailMeasures {
  var95: number;
  var99: number;
  es95: number;
  es99: number;
}

export const LN5 = Math.log(5);

export function tailMeasures(q01: number, q05: number): TailMeasures {
  const b = Math.max(0, q05 - q01) / LN5;
  return { var95: q05, var99: q01, es95: q05 - b, es99: q01 - b };
}

/** tailMeasures over arrays of quantiles, into new Float32Arrays. */
export function tailMeasureArrays(
  q01: Float32Array,
  q05: Float32Array,
): { var95: Float32Array; var99: Float32Array; es95: Float32Array; es99: Float32Array } {
  const n = q01.length;
  const out = {
    var95: new Float32Array(n),
    var99: new Float32Array(n),
    es95: new Float32Array(n),
    es99: new Float32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const m = tailMeasures(q01[i] as number, q05[i] as number);
    out.var95[i] = m.var95;
    out.var99[i] = m.var99;
    out.es95[i] = m.es95;
    out.es99[i] = m.es99;
  }
  return out;
}

/**
 * The model's three heads as RiskOutputs: the quantile head is [B, 2] row-major (q01, q05), and
 * VaR/ES follow from the quantiles. Every serving runtime ends here, so they agree by construction.
 */
export function riskOutputsFromHeads(
  size: number,
  event: Float32Array,
  volatility: Float32Array,
  quantiles: Float32Array,
): RiskOutputs {
  const q01 = new Float32Array(size);
  const q05 = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    q01[i] = quantiles[2 * i] as number;
    q05[i] = quantiles[2 * i + 1] as number;
  }
  return {
    size,
    eventProbability: Float32Array.from(event),
    volatility: Float32Array.from(volatility),
    q01,
    q05,
    ...tailMeasureArrays(q01, q05),
  };
}
