/**
 * Online recalibration of a VaR forecast by adaptive conformal inference (Gibbs & Candes 2021,
 * "Adaptive conformal inference under distribution shift"), applied as a scale on the model's
 * quantile: the served VaR is the model's VaR times exp(theta), and every resolved forecast moves
 * theta by gamma * (hit - alpha). A hit (the realised return below the VaR that was served) pushes
 * the VaR out by gamma * (1 - alpha); a miss pulls it in by gamma * alpha, so theta stops moving
 * only when hits come at the nominal rate alpha. While the clamp is not reached, the hit rate over
 * T resolved forecasts differs from alpha by exactly (theta_end - theta_start) / (gamma T), whatever
 * the data do: a long-run coverage guarantee that a fixed quantile network, too wide in calm years
 * and too narrow in sell-offs (docs/quality.md), does not have.
 *
 * It learns only from outcomes that are known: a forecast for the next H bars is resolved H bars
 * after it was served, by the caller.
 */

export interface AdaptiveVarScaleParams {
  /** Nominal exceedance rate of the VaR (0.01 for VaR99). */
  alpha: number;
  /** Step of theta per resolved forecast; 0 leaves the model's VaR as it is. */
  gamma: number;
  /** theta stays in [-maxLogScale, maxLogScale]: the VaR is scaled by at most e^max either way. */
  maxLogScale: number;
}

export class AdaptiveVarScale {
  private theta = 0;
  private resolvedCount = 0;
  private hitCount = 0;

  constructor(readonly params: AdaptiveVarScaleParams) {
    const { alpha, gamma, maxLogScale } = params;
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
    if (!(gamma >= 0 && Number.isFinite(gamma))) throw new RangeError(`gamma must be >= 0, got ${gamma}`);
    if (!(maxLogScale > 0 && Number.isFinite(maxLogScale))) {
      throw new RangeError(`maxLogScale must be > 0, got ${maxLogScale}`);
    }
  }

  /** exp(theta): how much wider than the model's the served VaR is (below 1: narrower). */
  get scale(): number {
    return Math.exp(this.theta);
  }

  get logScale(): number {
    return this.theta;
  }

  /** Forecasts resolved so far and how many of them were hits. */
  get resolved(): { count: number; hits: number } {
    return { count: this.resolvedCount, hits: this.hitCount };
  }

  /**
   * The VaR to serve for the model's `modelVar` (a log return; losses negative). A quantile at or
   * above zero (the model expects a gain even in its tail) is divided instead, so that a wider
   * VaR always means a lower one.
   */
  apply(modelVar: number): number {
    return modelVar < 0 ? modelVar * this.scale : modelVar / this.scale;
  }

  /** A forecast resolved: `servedVar` is what apply() returned for it, `outcome` the realised return. */
  observe(servedVar: number, outcome: number): boolean {
    const hit = outcome < servedVar;
    this.resolvedCount++;
    if (hit) this.hitCount++;
    const { alpha, gamma, maxLogScale } = this.params;
    const next = this.theta + gamma * ((hit ? 1 : 0) - alpha);
    this.theta = Math.min(maxLogScale, Math.max(-maxLogScale, next));
    return hit;
  }
}

/**
 * The served setting: gamma chosen on the committed bundle's validation period only (highest
 * minimum Kupiec p over VaR95/VaR99, held-out and all tickers; quality-notes.md), theta within
 * +-ln 4.
 */
export const DEFAULT_VAR_ADAPTATION = { gamma: 0.02, maxLogScale: Math.log(4) } as const;

export interface TailForecast {
  var95: number;
  var99: number;
  es95: number;
  es99: number;
}

/**
 * The two levels served together. Each level has its own scale, so scaled separately VaR99 could
 * rise above VaR95 (VaR95's scale well above VaR99's, quantiles close together); the served values
 * are kept ordered: VaR99 <= VaR95, ES at or below its VaR, ES99 <= ES95.
 */
export class AdaptiveTailScale {
  readonly level95: AdaptiveVarScale;
  readonly level99: AdaptiveVarScale;

  constructor(params: { gamma: number; maxLogScale: number }) {
    this.level95 = new AdaptiveVarScale({ alpha: 0.05, ...params });
    this.level99 = new AdaptiveVarScale({ alpha: 0.01, ...params });
  }

  serveVar(head95: number, head99: number): { var95: number; var99: number } {
    const var95 = this.level95.apply(head95);
    return { var95, var99: Math.min(this.level99.apply(head99), var95) };
  }

  serve(head: TailForecast): TailForecast {
    const { var95, var99 } = this.serveVar(head.var95, head.var99);
    const es95 = Math.min(this.level95.apply(head.es95), var95);
    return { var95, var99, es95, es99: Math.min(this.level99.apply(head.es99), var99, es95) };
  }

  /** A forecast resolved: what was served for it and the realised H-bar return. */
  observe(served: { var95: number; var99: number }, outcome: number): void {
    this.level95.observe(served.var95, outcome);
    this.level99.observe(served.var99, outcome);
  }
}
