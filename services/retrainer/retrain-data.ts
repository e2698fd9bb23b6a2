import type { RiskFeatureNames, SymbolSeries } from '../models/risk/risk-dataset.js';
import { joinFeatureTopics } from '../pipeline/feature-history.js';
import type { Transport } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import type { Config } from '../shared/config/config-schema.js';
import { MARKET_FEATURES, macroFeatureNames, SENTIMENT_FEATURES } from '../shared/contracts/feature-lists.js';

export interface RetrainData {
  series: SymbolSeries[];
  features: RiskFeatureNames;
}

/**
 * The bars a cycle may learn from: closed by `asOf` (a bar stamped after it is not history yet)
 * and the latest `recentBars` per symbol. Labels come later from buildRiskDataset, which gives
 * none to a bar whose H-bar horizon is not complete, so the last H bars of each symbol teach
 * nothing until their horizon has passed.
 */
export function recentSeries(
  series: readonly SymbolSeries[],
  recentBars: number,
  asOf: number,
): SymbolSeries[] {
  if (!(Number.isInteger(recentBars) && recentBars > 0)) {
    throw new RangeError(`recentBars must be a positive integer, got ${recentBars}`);
  }
  return series
    .map((s) => {
      const closed = s.bars.filter((b) => b.bar.barEnd <= asOf);
      return { symbol: s.symbol, bars: closed.slice(Math.max(0, closed.length - recentBars)) };
    })
    .filter((s) => s.bars.length > 0);
}

/**
 * The recent history from the running system: the risk.features.* topics' retained history read
 * back (offsets + reads without a consumer group, so the scorer's group and its commits are not
 * touched) and joined by the windowing join (the code path training uses after its replay), so a
 * retrained model sees exactly what the scorer saw. With `since` (epoch ms) only bars ending at or
 * after it are kept; macro and sentiment are still read whole, as the as-of join needs the values
 * released before the first kept bar.
 */
export async function retrainDataFromTransport(
  transport: Transport,
  codec: Codec,
  config: Pick<Config, 'topics' | 'windowing'>,
  options: { since?: number } = {},
): Promise<RetrainData> {
  const indicators = config.windowing.macroIndicators;
  const { since } = options;
  const { bars } = await joinFeatureTopics(transport, codec, {
    topics: {
      market: config.topics.featuresMarket.name,
      macro: config.topics.featuresMacro.name,
      sentiment: config.topics.featuresSentiment.name,
    },
    indicators,
  });
  return {
    series: [...bars]
      .map(([symbol, list]) => ({
        symbol,
        bars: since === undefined ? list : list.filter((b) => b.bar.barEnd >= since),
      }))
      .filter((s) => s.bars.length > 0),
    features: {
      market: [...MARKET_FEATURES],
      macro: macroFeatureNames(indicators),
      sentiment: [...SENTIMENT_FEATURES],
    },
  };
}
