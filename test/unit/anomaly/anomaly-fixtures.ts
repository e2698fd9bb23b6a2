import { MARKET_FEATURES, SENTIMENT_FEATURES } from '../../../services/shared/contracts/feature-lists.js';
import type { MarketBar } from '../../../services/shared/contracts/records.js';
import type {
  JoinedBar,
  SequenceBatch,
  SequenceMeta,
} from '../../../services/shared/contracts/sequence-batch.js';
import { sampleRecords } from '../../fixtures/sample-records.js';

export const MINUTE = 60_000;

/** A bar of `symbol` ending at barEnd (one minute long) with the given market feature values. */
export function bar(
  symbol: string,
  barEnd: number,
  features: Partial<Record<string, number>> = {},
): MarketBar {
  return {
    ...sampleRecords.MarketBar,
    id: `${symbol}|${barEnd}`,
    symbol,
    barStart: barEnd - MINUTE,
    barEnd,
    ...features,
  };
}

/** Deterministic pseudo-random numbers in [-0.5, 0.5). */
export function jitter(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

/** Joined bars for a few symbols: smooth-ish market features plus noise. */
export function joinedBars(symbols: string[], count: number, start = 1_700_000_000_000): JoinedBar[] {
  const out: JoinedBar[] = [];
  symbols.forEach((symbol, k) => {
    const r = jitter(k + 1);
    for (let t = 0; t < count; t++) {
      const features: Record<string, number> = {};
      MARKET_FEATURES.forEach((f, j) => {
        features[f] = Math.sin((t + 3 * j + k) / 5) + 0.2 * r();
      });
      out.push({
        bar: bar(symbol, start + t * MINUTE, features),
        macro: [0.1 * k, 0.2],
        sentiment: SENTIMENT_FEATURES.map(() => r()),
      });
    }
  });
  return out;
}

/** A SequenceBatch from already scaled market windows [B, L, F] and their newest bars. */
export function sequenceBatch(
  market: Float32Array,
  seqLen: number,
  width: number,
  bars: MarketBar[],
): SequenceBatch {
  const meta: SequenceMeta[] = bars.map((b) => ({
    symbol: b.symbol,
    barTime: b.barEnd,
    lastBar: b,
    macro: {},
    sentiment: {},
    ack: () => {},
  }));
  return {
    size: bars.length,
    seqLen,
    marketWidth: width,
    macroWidth: 0,
    sentimentWidth: 0,
    market,
    macro: new Float32Array(0),
    sentiment: new Float32Array(0),
    meta,
  };
}
