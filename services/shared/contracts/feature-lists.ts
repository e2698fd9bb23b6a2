/**
 * The ordered feature lists the windowing stage puts into tensors and the models are trained on.
 * A model bundle stores the lists it was trained with; loading refuses a bundle whose lists differ
 * from the running pipeline's.
 */

/** Per-bar market features, from MarketBar (risk.features.market); F = length. */
export const MARKET_FEATURES = [
  'logReturn',
  'hlRange',
  'ewmaVol',
  'spreadBps',
  'imbalance',
  'volumeZ',
  'volRatio',
] as const;
export type MarketFeature = (typeof MARKET_FEATURES)[number];

/**
 * Sentiment features as of a bar's end: the symbol's own state and the market-wide (*) state,
 * both decayed forward to the bar's end time; S = length.
 */
export const SENTIMENT_FEATURES = [
  'ewmaSentiment',
  'intensity',
  'negativeShock',
  'marketEwmaSentiment',
  'marketIntensity',
] as const;
export type SentimentFeatureName = (typeof SENTIMENT_FEATURES)[number];

/** Per macro indicator, the MacroFeature fields joined as of a bar's end. */
export const MACRO_FIELDS = ['zScore', 'change'] as const;

/** Default macro indicators (configurable); M = indicators x MACRO_FIELDS. */
export const DEFAULT_MACRO_INDICATORS = ['US.VIX.CLOSE', 'US.CPI.YOY', 'US.RATE.LONG'] as const;

/** Names of the macro vector entries for a list of indicators, e.g. US.VIX.CLOSE.zScore. */
export function macroFeatureNames(indicators: readonly string[]): string[] {
  return indicators.flatMap((id) => MACRO_FIELDS.map((f) => `${id}.${f}`));
}
