import { MARKET_WIDE } from '../ingest/news/sentiment-book.js';
import type { MacroIndicator, MarketTick, NewsSentiment } from '../shared/contracts/records.js';

/** One record to replay, with the input topic (by role) and key it goes to. */
export type ReplayEvent =
  | { feed: 'macro'; time: number; key: string; name: 'MacroIndicator'; record: MacroIndicator }
  | { feed: 'news'; time: number; key: string; name: 'NewsSentiment'; record: NewsSentiment }
  | { feed: 'ticks'; time: number; key: string; name: 'MarketTick'; record: MarketTick };

export type ReplayFeed = ReplayEvent['feed'];

export const tickEvent = (record: MarketTick): ReplayEvent => ({
  feed: 'ticks',
  time: record.eventTime,
  key: record.symbol,
  name: 'MarketTick',
  record,
});

export const macroEvent = (record: MacroIndicator): ReplayEvent => ({
  feed: 'macro',
  time: record.releaseTime,
  key: record.indicatorId,
  name: 'MacroIndicator',
  record,
});

/** Market-wide items are keyed "*" so they all land on one partition (and one consumer's state). */
export const newsEvent = (record: NewsSentiment): ReplayEvent => ({
  feed: 'news',
  time: record.eventTime,
  key: record.symbol ?? MARKET_WIDE,
  name: 'NewsSentiment',
  record,
});

/** At equal times: macro releases, then news, then ticks; then by key, then as given. */
const FEED_ORDER: Record<ReplayFeed, number> = { macro: 0, news: 1, ticks: 2 };

/** All feeds merged into one event-time order (stable). */
export function mergeByEventTime(...feeds: readonly ReplayEvent[][]): ReplayEvent[] {
  return feeds
    .flat()
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        a.e.time - b.e.time ||
        FEED_ORDER[a.e.feed] - FEED_ORDER[b.e.feed] ||
        (a.e.key < b.e.key ? -1 : a.e.key > b.e.key ? 1 : 0) ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}
