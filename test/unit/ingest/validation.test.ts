import { describe, expect, it } from 'vitest';
import { REASON_CODES, type ReasonCode } from '../../../services/ingest/framework/reason-codes.js';
import { validateMacro } from '../../../services/ingest/macro/macro-validation.js';
import { validateNews } from '../../../services/ingest/news/news-validation.js';
import { validateTick } from '../../../services/ingest/ticks/tick-validation.js';
import { macro, NOW, news, T0, tick } from './ingest-fixtures.js';

const bounds = { now: () => NOW, maxClockSkewMs: 60_000, horizon: Date.UTC(1990, 0, 1) };
const allow = new Set(['US.VIX.CLOSE', 'US.CPI.YOY']);
const reasonOf = (v: { reason: ReasonCode } | null) => v?.reason ?? null;

describe('tick validation', () => {
  it('accepts a good tick, a locked book and zero sizes', () => {
    expect(validateTick(tick(), bounds)).toBeNull();
    expect(validateTick(tick({ bid: 100, ask: 100, lastSize: 0, bidSize: 0 }), bounds)).toBeNull();
  });

  it.each<[string, Parameters<typeof tick>[0], ReasonCode]>([
    ['empty symbol', { symbol: '' }, 'missing_field'],
    ['blank venue', { venue: '  ' }, 'missing_field'],
    ['NaN bid', { bid: Number.NaN }, 'non_finite'],
    ['infinite volume', { volume: Number.POSITIVE_INFINITY }, 'non_finite'],
    ['zero last', { last: 0 }, 'non_positive_price'],
    ['negative bid', { bid: -1, ask: 1 }, 'non_positive_price'],
    ['crossed book', { bid: 100.02, ask: 100.01 }, 'bid_gt_ask'],
    ['negative lastSize', { lastSize: -1 }, 'negative_size'],
    ['negative askSize', { askSize: -5 }, 'negative_size'],
    ['event time beyond the allowed skew', { eventTime: NOW + 60_001 }, 'future_event_time'],
    ['event time before the horizon', { eventTime: Date.UTC(1989, 11, 31) }, 'before_horizon'],
  ])('%s -> %s', (_, over, reason) => {
    const v = validateTick(tick(over), bounds);
    expect(v?.reason).toBe(reason);
    expect(v?.message).toMatch(/expected|ahead|before/);
  });

  it('allows exactly the configured clock skew', () => {
    expect(validateTick(tick({ eventTime: NOW + 60_000 }), bounds)).toBeNull();
  });

  it('says what was expected and what came', () => {
    expect(validateTick(tick({ bid: 101, ask: 100 }), bounds)?.message).toBe(
      'MarketTick: expected bid <= ask, got bid 101 > ask 100',
    );
  });
});

describe('macro validation', () => {
  it('accepts an allowed indicator and rejects others with unknown_indicator', () => {
    expect(validateMacro(macro(), bounds, allow)).toBeNull();
    const v = validateMacro(macro({ indicatorId: 'US.GDP' }), bounds, allow);
    expect(v?.reason).toBe('unknown_indicator');
    expect(v?.message).toContain('got "US.GDP"');
    expect(validateMacro(macro({ indicatorId: 'US.GDP' }), bounds, new Set())).toBeNull();
  });

  it.each<[string, Parameters<typeof macro>[0], ReasonCode]>([
    ['empty indicator', { indicatorId: '' }, 'missing_field'],
    ['empty unit', { unit: '' }, 'missing_field'],
    ['NaN actual', { actual: Number.NaN }, 'non_finite'],
    ['infinite consensus', { consensus: Number.NEGATIVE_INFINITY }, 'non_finite'],
    ['future release', { releaseTime: NOW + 3_600_000 }, 'future_event_time'],
    ['ancient release', { releaseTime: Date.UTC(1950, 0, 1) }, 'before_horizon'],
  ])('%s -> %s', (_, over, reason) => {
    expect(reasonOf(validateMacro(macro(over), bounds, allow))).toBe(reason);
  });
});

describe('news validation', () => {
  it('accepts symbol and market-wide items', () => {
    expect(validateNews(news(), bounds)).toBeNull();
    expect(validateNews(news({ symbol: null, relevance: 0.5, confidence: 0.7 }), bounds)).toBeNull();
  });

  it.each<[string, Parameters<typeof news>[0], ReasonCode]>([
    ['empty id', { id: '' }, 'missing_field'],
    ['empty symbol (null is market-wide)', { symbol: '' }, 'missing_field'],
    ['NaN sentiment', { sentiment: Number.NaN }, 'non_finite'],
    ['sentiment above 1', { sentiment: 1.5 }, 'sentiment_out_of_range'],
    ['sentiment below -1', { sentiment: -2 }, 'sentiment_out_of_range'],
    ['confidence above 1', { confidence: 1.2 }, 'sentiment_out_of_range'],
    ['relevance above 1', { relevance: 1.01 }, 'relevance_out_of_range'],
    ['negative relevance', { relevance: -0.1 }, 'relevance_out_of_range'],
    ['future item', { eventTime: NOW + 86_400_000 }, 'future_event_time'],
    ['item before horizon', { eventTime: 0 }, 'before_horizon'],
  ])('%s -> %s', (_, over, reason) => {
    expect(reasonOf(validateNews(news(over), bounds))).toBe(reason);
  });
});

describe('reason codes', () => {
  it('are the documented stable set', () => {
    expect([...REASON_CODES].sort()).toEqual(
      [
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
      ].sort(),
    );
    expect(T0).toBeLessThan(NOW);
  });
});
