import { AdaptiveVarScale, type AdaptiveVarScaleParams } from '../models/risk/adaptive-var-scale.js';

export interface VarForecast {
  /** When the forecast is served (the bar's end, epoch ms). */
  servedAt: number;
  /** When its outcome is known (the end of the horizon's last bar, epoch ms). */
  resolvedAt: number;
  /** The realised return the VaR is compared with. */
  outcome: number;
}

/**
 * The VaRs a scorer with one market-wide AdaptiveVarScale would have served for these forecasts,
 * replayed in time order: at each instant the forecasts whose outcome is known by then update the
 * scale first, then the forecasts served at that instant get the current scale. No forecast sees
 * an outcome later than its own serving time.
 */
export function replayAdaptiveVar(
  forecasts: readonly VarForecast[],
  modelVar: ArrayLike<number>,
  params: AdaptiveVarScaleParams,
): { served: Float32Array; finalLogScale: number } {
  const n = forecasts.length;
  if (modelVar.length !== n) {
    throw new RangeError(`expected one model VaR per forecast (${n}), got ${modelVar.length}`);
  }
  const scale = new AdaptiveVarScale(params);
  const served = new Float32Array(n);
  const byServed = [...forecasts.keys()].sort(
    (a, b) => (forecasts[a] as VarForecast).servedAt - (forecasts[b] as VarForecast).servedAt,
  );
  const byResolved = [...forecasts.keys()].sort(
    (a, b) => (forecasts[a] as VarForecast).resolvedAt - (forecasts[b] as VarForecast).resolvedAt,
  );
  let r = 0;
  for (const i of byServed) {
    const at = (forecasts[i] as VarForecast).servedAt;
    // Everything resolved by now, in resolution order (each was served earlier: resolvedAt > servedAt).
    while (r < n && (forecasts[byResolved[r] as number] as VarForecast).resolvedAt <= at) {
      const j = byResolved[r++] as number;
      scale.observe(served[j] as number, (forecasts[j] as VarForecast).outcome);
    }
    served[i] = scale.apply(modelVar[i] as number);
  }
  return { served, finalLogScale: scale.logScale };
}
