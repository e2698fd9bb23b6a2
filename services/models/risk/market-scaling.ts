/**
 * How the risk model sees the market features of a window. `raw`: each feature standardised
 * with pooled train-split statistics. `vol-relative`: a bar's log return and high-low range are
 * first divided by its own EWMA volatility, so a window reads in units of the ticker's current
 * volatility. The event label is itself a move of k sigma_t (risk-labels.ts): in sigma units a
 * calm utility and a volatile tech stock look alike, which is what lets the model transfer to
 * tickers it never saw. ewmaVol itself stays a level, the one input that says how volatile.
 */
export const MARKET_SCALING_MODES = ['raw', 'vol-relative'] as const;
export type MarketScalingMode = (typeof MARKET_SCALING_MODES)[number];

const VOL_RELATIVE: Readonly<Record<string, string>> = { logReturn: 'ewmaVol', hlRange: 'ewmaVol' };

/** The divideBy list for a mode over these market feature names (undefined: no ratios). */
export function marketDivideBy(
  mode: MarketScalingMode,
  names: readonly string[],
): (string | null)[] | undefined {
  if (mode === 'raw') return undefined;
  if (!names.includes('ewmaVol')) {
    throw new RangeError(`market scaling ${mode} needs the ewmaVol feature, got [${names.join(', ')}]`);
  }
  return names.map((n) => VOL_RELATIVE[n] ?? null);
}
