import { AdaptiveTailScale } from '../models/risk/adaptive-var-scale.js';

export interface VarForecast {
  /** When the forecast is served (the bar's end, epoch ms). */
  servedAt: number;
  /** When its outcome is known (the end of the horizon's last bar, epoch ms). */
  resolvedAt: number;
  /** The realised return the VaR is compared with. */
  outcome: number;
}

export interface ReplayedVar {
  var95: Float32Array;
  var99: Float32Array;
  /** exp(theta) of each level once every forecast was served. */
  finalScale95: number;
  finalScale99: number;
}

/**
 * The VaRs a scorer with one market-wide AdaptiveTailScale would have served for these forecasts,
 * replayed in time order: at each instant the forecasts whose outcome is known by then update the
 * scale first, then the forecasts served at that instant get the current scale. No forecast sees
 * an outcome later than its own serving time.
 */
export function replayAdaptiveVar(
  forecasts: readonly VarForecast[],
  head: { var95: ArrayLike<number>; var99: ArrayLike<number> },
  params: { gamma: number; maxLogScale: number },
): ReplayedVar {
  const n = forecasts.length;
  if (head.var95.length !== n || head.var99.length !== n) {
    throw new RangeError(
      `expected one model VaR95 and VaR99 per forecast (${n}), got ${head.var95.length} and ${head.var99.length}`,
    );
  }
  const scale = new AdaptiveTailScale(params);
  const var95 = new Float32Array(n);
  const var99 = new Float32Array(n);
  const at = (i: number) => forecasts[i] as VarForecast;
  const byServed = [...forecasts.keys()].sort((a, b) => at(a).servedAt - at(b).servedAt);
  const byResolved = [...forecasts.keys()].sort((a, b) => at(a).resolvedAt - at(b).resolvedAt);
  let r = 0;
  for (const i of byServed) {
    // Everything resolved by now, in resolution order (each was served earlier: resolvedAt > servedAt).
    while (r < n && at(byResolved[r] as number).resolvedAt <= at(i).servedAt) {
      const j = byResolved[r++] as number;
      scale.observe({ var95: var95[j] as number, var99: var99[j] as number }, at(j).outcome);
    }
    const served = scale.serveVar(head.var95[i] as number, head.var99[i] as number);
    var95[i] = served.var95;
    var99[i] = served.var99;
  }
  return { var95, var99, finalScale95: scale.level95.scale, finalScale99: scale.level99.scale };
}
