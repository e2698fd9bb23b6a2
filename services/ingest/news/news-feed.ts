import type { Codec } from '../../shared/codec/codec.js';
import type { Config } from '../../shared/config/config-schema.js';
import { KeyDeduplicator } from '../framework/deduplicator.js';
import type { FeedDefinition } from '../framework/feed-definition.js';
import { NewsTransform } from './news-transform.js';
import { validateNews } from './news-validation.js';

export const NEWS_SERVICE = 'news-consumer';

/** news.sentiment -> risk.features.sentiment (key symbol, or * for market-wide). */
export function newsFeed(config: Config, codec: Codec, now: () => number): FeedDefinition<'NewsSentiment'> {
  const { ingest, topics } = config;
  const bounds = { now, maxClockSkewMs: ingest.maxClockSkewMs, horizon: Date.parse(ingest.horizonTime) };
  return {
    service: NEWS_SERVICE,
    recordName: 'NewsSentiment',
    input: { ...topics.news },
    outputs: [{ ...topics.featuresSentiment }],
    validate: (n) => validateNews(n, bounds),
    createDeduplicator: () => new KeyDeduplicator((n) => n.id, ingest.dedupeCapacity),
    eventTimeOf: (n) => n.eventTime,
    createTransform: () =>
      new NewsTransform(
        { halfLifeMs: ingest.sentimentHalfLifeMs, shockThreshold: ingest.shockThreshold },
        codec,
        topics.featuresSentiment.name,
      ),
  };
}
