import type { MarketBar } from '../../shared/contracts/records.js';

/** What the risk model predicts, per bar t, from the H bars after it. */
export interface RiskLabelParams {
  /** H: bars after t the label looks at (default 5: one trading week of daily bars). */
  horizon: number;
  /** k: event threshold in units of sigma_t * sqrt(H) (default 2). */
  k: number;
}

export const DEFAULT_RISK_LABEL_PARAMS: RiskLabelParams = { horizon: 5, k: 2 };

export interface RiskLabel {
  /** 1 when min_h r_{t,h} < -k * sigma_t * sqrt(H), else 0. */
  event: 0 | 1;
  /** sqrt(mean of logReturn^2 over bars t+1..t+H): per-bar realized volatility. */
  realizedVol: number;
  /** r_{t,H}: cumulative log return over bars t+1..t+H. */
  horizonReturn: number;
  /** min over h = 1..H of r_{t,h}. */
  minCumulativeReturn: number;
  /** -k * sigma_t * sqrt(H), the level the event compares against. */
  eventLevel: number;
}

type LabelInput = Pick<MarketBar, 'logReturn' | 'ewmaVol'>;

/**
 * The label of bar t, or null when it has none: its horizon runs past the last bar (unfinished
 * horizons are never labelled), sigma_t is not a positive number, or a return in the horizon is
 * not finite. Reads only bars t..t+H, so bars after t+H can never change it.
 */
export function riskLabelAt(
  bars: readonly LabelInput[],
  t: number,
  params: RiskLabelParams,
): RiskLabel | null {
  const { horizon, k } = params;
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`label horizon must be an integer >= 1, got ${horizon}`);
  }
  if (t < 0 || t + horizon >= bars.length) return null;
  const sigma = (bars[t] as LabelInput).ewmaVol;
  if (!(Number.isFinite(sigma) && sigma > 0)) return null;
  let cumulative = 0;
  let minCumulative = Number.POSITIVE_INFINITY;
  let sumSquares = 0;
  for (let i = 1; i <= horizon; i++) {
    const r = (bars[t + i] as LabelInput).logReturn;
    if (!Number.isFinite(r)) return null;
    cumulative += r;
    sumSquares += r * r;
    if (cumulative < minCumulative) minCumulative = cumulative;
  }
  const eventLevel = -k * sigma * Math.sqrt(horizon);
  return {
    event: minCumulative < eventLevel ? 1 : 0,
    realizedVol: Math.sqrt(sumSquares / horizon),
    horizonReturn: cumulative,
    minCumulativeReturn: minCumulative,
    eventLevel,
  };
}

/** riskLabelAt for every bar of one symbol's time-ordered series. */
export function riskLabels(bars: readonly LabelInput[], params: RiskLabelParams): (RiskLabel | null)[] {
  return bars.map((_, t) => riskLabelAt(bars, t, params));
}
