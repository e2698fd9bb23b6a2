import type { MarketTick } from '../../shared/contracts/records.js';
import type { Violation } from '../framework/reason-codes.js';
import {
  checkEventTime,
  firstViolation,
  requireFinite,
  requireNonNegative,
  requireText,
  type TimeBounds,
} from '../framework/validation-checks.js';

/** A tick is usable when it names its symbol and venue, has finite positive prices, an uncrossed book, sizes >= 0 and a plausible event time. */
export function validateTick(t: MarketTick, bounds: TimeBounds): Violation | null {
  return firstViolation(
    () => requireText('MarketTick', { symbol: t.symbol, venue: t.venue }),
    () =>
      requireFinite('MarketTick', {
        eventTime: t.eventTime,
        sequence: t.sequence,
        bid: t.bid,
        ask: t.ask,
        last: t.last,
        bidSize: t.bidSize,
        askSize: t.askSize,
        lastSize: t.lastSize,
        volume: t.volume,
      }),
    () => {
      for (const [field, value] of [
        ['bid', t.bid],
        ['ask', t.ask],
        ['last', t.last],
      ] as const) {
        if (value <= 0) {
          return {
            reason: 'non_positive_price',
            message: `MarketTick.${field}: expected a price > 0, got ${value}`,
          } satisfies Violation;
        }
      }
      return null;
    },
    () =>
      t.bid > t.ask
        ? {
            reason: 'bid_gt_ask',
            message: `MarketTick: expected bid <= ask, got bid ${t.bid} > ask ${t.ask}`,
          }
        : null,
    () =>
      requireNonNegative('MarketTick', {
        bidSize: t.bidSize,
        askSize: t.askSize,
        lastSize: t.lastSize,
        volume: t.volume,
      }),
    () => checkEventTime('MarketTick', 'eventTime', t.eventTime, bounds),
  );
}
