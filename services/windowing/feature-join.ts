import { MACRO_FIELDS, MARKET_FEATURES, SENTIMENT_FEATURES } from '../shared/contracts/feature-lists.js';
import type { MarketBar, SentimentFeature } from '../shared/contracts/records.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';
import type { MacroTable } from './macro-table.js';
import type { SentimentBook } from './sentiment-book.js';

/**
 * The as-of join shared by serving (the windowing stage) and training (the dataset builder), so a
 * model sees at training time exactly what it sees live. Everything here is as of a bar's END:
 * only macro releases with releaseTime <= barEnd and sentiment items with asOf <= barEnd are used.
 * Nothing known yet is the neutral value 0 (z-score at the mean, no change, no news).
 */

/** Key of the market-wide sentiment state on risk.features.sentiment. */
export const MARKET_WIDE_KEY = '*';

/** The bar's market features in MARKET_FEATURES order. */
export function marketVector(bar: MarketBar): number[] {
  return MARKET_FEATURES.map((f) => bar[f]);
}

/** Macro vector in macroFeatureNames(indicators) order: per indicator its MACRO_FIELDS, forward-filled. */
export function macroVectorAsOf(table: MacroTable, indicators: readonly string[], barEnd: number): number[] {
  const out: number[] = [];
  for (const id of indicators) {
    const release = table.asOf(id, barEnd);
    for (const field of MACRO_FIELDS) out.push(release ? release[field] : 0);
  }
  return out;
}

/** 0.5^(dt / halfLife); a non-positive half-life means the producer asked for no decay. */
export function decayFactor(halfLifeMs: number, dtMs: number): number {
  if (!(halfLifeMs > 0) || dtMs <= 0) return 1;
  return 0.5 ** (dtMs / halfLifeMs);
}

export interface DecayedSentiment {
  ewmaSentiment: number;
  intensity: number;
  negativeShock: number;
}

/**
 * A state decayed forward from its asOf to t. All three values decay with the state's half-life:
 * intensity and negativeShock because they are decayed counts; ewmaSentiment toward 0 (neutral)
 * because an opinion nobody repeats should fade rather than persist at full strength forever.
 * The producer's own EWMA does not decay between items; this is the reader's convention, applied
 * identically in training and serving.
 */
export function decaySentiment(state: SentimentFeature | undefined, t: number): DecayedSentiment {
  if (!state) return { ewmaSentiment: 0, intensity: 0, negativeShock: 0 };
  const k = decayFactor(state.halfLifeMs, t - state.asOf);
  return {
    ewmaSentiment: state.ewmaSentiment * k,
    intensity: state.intensity * k,
    negativeShock: state.negativeShock * k,
  };
}

/** Sentiment vector in SENTIMENT_FEATURES order: the symbol's state, then the market-wide state. */
export function sentimentVectorAsOf(book: SentimentBook, symbol: string, barEnd: number): number[] {
  const own = decaySentiment(book.asOf(symbol, barEnd), barEnd);
  const market = decaySentiment(book.asOf(MARKET_WIDE_KEY, barEnd), barEnd);
  const byName: Record<(typeof SENTIMENT_FEATURES)[number], number> = {
    ewmaSentiment: own.ewmaSentiment,
    intensity: own.intensity,
    negativeShock: own.negativeShock,
    marketEwmaSentiment: market.ewmaSentiment,
    marketIntensity: market.intensity,
  };
  return SENTIMENT_FEATURES.map((n) => byName[n]);
}

/** A bar with its macro and sentiment vectors as of its end. */
export function joinBar(
  bar: MarketBar,
  macro: MacroTable,
  sentiment: SentimentBook,
  indicators: readonly string[],
): JoinedBar {
  return {
    bar,
    macro: macroVectorAsOf(macro, indicators, bar.barEnd),
    sentiment: sentimentVectorAsOf(sentiment, bar.symbol, bar.barEnd),
  };
}
