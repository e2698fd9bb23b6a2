import type { Codec } from '../../shared/codec/codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import { SequenceDeduplicator } from '../framework/deduplicator.js';
import type { FeedDefinition } from '../framework/feed-definition.js';
import { TickTransform } from './tick-transform.js';
import { validateTick } from './tick-validation.js';

export const TICKS_SERVICE = 'ticks-consumer';

/** market.ticks -> risk.features.market (MarketBar per symbol and interval). */
export function tickFeed(
  config: Config,
  codec: Codec,
  now: () => number,
  onFilled?: (count: number) => void,
): FeedDefinition<'MarketTick'> {
  const { ingest, topics } = config;
  const bounds = { now, maxClockSkewMs: ingest.maxClockSkewMs, horizon: Date.parse(ingest.horizonTime) };
  return {
    service: TICKS_SERVICE,
    recordName: 'MarketTick',
    input: { ...topics.ticks },
    outputs: [{ ...topics.featuresMarket }],
    validate: (t) => validateTick(t, bounds),
    createDeduplicator: () =>
      new SequenceDeduplicator(
        (t) => t.symbol,
        (t) => t.sequence,
        ingest.dedupeCapacity,
      ),
    eventTimeOf: (t) => t.eventTime,
    createTransform: () =>
      new TickTransform(
        {
          intervalMs: ingest.barIntervalMs,
          ewmaLambda: ingest.ewmaLambda,
          slowEwmaLambda: ingest.slowEwmaLambda,
          volumeEwmaLambda: ingest.volumeEwmaLambda,
          volumeMinHistory: ingest.volumeMinHistory,
          fillSkipWeekends: ingest.fillSkipWeekends,
          maxFillBars: ingest.maxFillBars,
        },
        codec,
        topics.featuresMarket.name,
        onFilled,
      ),
  };
}
