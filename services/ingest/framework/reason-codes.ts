/**
 * Why a record was dead-lettered. These strings are a contract: they appear in DeadLetter.errorCode
 * and in the risk_ingest_dead_letters_total{reason} label, and docs/ingest.md lists them.
 */
export const REASON_CODES = [
  'undecodable',
  'missing_field',
  'non_finite',
  'non_positive_price',
  'bid_gt_ask',
  'negative_size',
  'future_event_time',
  'before_horizon',
  'sentiment_out_of_range',
  'relevance_out_of_range',
  'unknown_indicator',
  'late',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** A record that failed a check: the stable code and a message saying what was expected and what came. */
export interface Violation {
  reason: ReasonCode;
  message: string;
}
