import type { NewsSentiment } from '../../shared/contracts/records.js';
import type { Violation } from '../framework/reason-codes.js';
import {
  checkEventTime,
  firstViolation,
  requireFinite,
  requireInRange,
  requireText,
  type TimeBounds,
} from '../framework/validation-checks.js';

export function validateNews(n: NewsSentiment, bounds: TimeBounds): Violation | null {
  return firstViolation(
    () => requireText('NewsSentiment', { id: n.id, source: n.source }),
    () => (n.symbol === null ? null : requireText('NewsSentiment', { symbol: n.symbol })),
    () =>
      requireFinite('NewsSentiment', {
        eventTime: n.eventTime,
        sentiment: n.sentiment,
        relevance: n.relevance,
        confidence: n.confidence,
      }),
    () => requireInRange('NewsSentiment', 'sentiment_out_of_range', 'sentiment', n.sentiment, -1, 1),
    // The score's confidence belongs to the sentiment score, hence the same reason code.
    () => requireInRange('NewsSentiment', 'sentiment_out_of_range', 'confidence', n.confidence, 0, 1),
    () => requireInRange('NewsSentiment', 'relevance_out_of_range', 'relevance', n.relevance, 0, 1),
    () => checkEventTime('NewsSentiment', 'eventTime', n.eventTime, bounds),
  );
}
