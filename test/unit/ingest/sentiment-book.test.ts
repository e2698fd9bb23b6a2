import { describe, expect, it } from 'vitest';
import { SentimentBook } from '../../../services/ingest/news/sentiment-book.js';
import { news } from './ingest-fixtures.js';

const H = 1_000;

describe('SentimentBook', () => {
  it('keeps a relevance-weighted, decayed sentiment, intensity and shock by hand', () => {
    const book = new SentimentBook({ halfLifeMs: H, shockThreshold: -0.5 });
    const a = book.apply(news({ id: 'a', eventTime: 0, sentiment: 0.5, relevance: 1 }));
    expect(a).toEqual({
      id: 'AAPL|0|a',
      symbol: 'AAPL',
      asOf: 0,
      ewmaSentiment: 0.5,
      intensity: 1,
      negativeShock: 0,
      halfLifeMs: H,
      items: 1,
    });
    const b = book.apply(news({ id: 'b', eventTime: 1_000, sentiment: -1, relevance: 1 }));
    expect(b.intensity).toBeCloseTo(1.5, 12);
    expect(b.ewmaSentiment).toBeCloseTo((0.25 - 1) / 1.5, 12);
    expect(b.negativeShock).toBe(1);
    const c = book.apply(news({ id: 'c', eventTime: 3_000, sentiment: 0, relevance: 0.5 }));
    expect(c.intensity).toBeCloseTo(1.5 * 0.25 + 0.5, 12);
    expect(c.ewmaSentiment).toBeCloseTo((-0.75 * 0.25) / 0.875, 12);
    expect(c.negativeShock).toBeCloseTo(0.25, 12);
    expect(c.items).toBe(3);
  });

  it('keeps market-wide state under "*" for null and "*" symbols', () => {
    const book = new SentimentBook({ halfLifeMs: H, shockThreshold: -0.5 });
    book.apply(news({ id: 's', symbol: 'AAPL', sentiment: 1 }));
    const m1 = book.apply(news({ id: 'm1', symbol: null, sentiment: -0.2, relevance: 0.5 }));
    const m2 = book.apply(news({ id: 'm2', symbol: '*', sentiment: -0.2, relevance: 0.5 }));
    expect(m1.symbol).toBe('*');
    expect(m1.id).toBe(`*|${m1.asOf}|m1`);
    expect(m2.items).toBe(2);
    expect(m2.ewmaSentiment).toBeCloseTo(-0.2, 12);
  });

  it('needs relevance >= 0.5 and sentiment <= threshold for a shock', () => {
    const book = new SentimentBook({ halfLifeMs: H, shockThreshold: -0.5 });
    expect(book.apply(news({ id: '1', sentiment: -1, relevance: 0.4 })).negativeShock).toBe(0);
    expect(book.apply(news({ id: '2', sentiment: -0.49, relevance: 1 })).negativeShock).toBe(0);
    expect(book.apply(news({ id: '3', sentiment: -0.5, relevance: 0.5 })).negativeShock).toBe(1);
  });

  it('lets readers decay the state forward: the next update starts exactly from it', () => {
    const book = new SentimentBook({ halfLifeMs: H, shockThreshold: -0.5 });
    const s1 = book.apply(news({ id: 'a', eventTime: 0, sentiment: 0.8, relevance: 0.7 }));
    const s2 = book.apply(news({ id: 'b', eventTime: 2_500, sentiment: -0.3, relevance: 0.9 }));
    // Reader rule: intensity and shock decay by 0.5^(dt/H); ewmaSentiment does not change.
    const w = 0.5 ** (2_500 / H);
    const decayedIntensity = s1.intensity * w;
    expect(s2.intensity).toBeCloseTo(decayedIntensity + 0.9, 12);
    expect(s2.ewmaSentiment).toBeCloseTo(
      (s1.ewmaSentiment * decayedIntensity + 0.9 * -0.3) / (decayedIntensity + 0.9),
      12,
    );
  });

  it('takes an item older than the state with its weight decayed, without rewinding asOf', () => {
    const book = new SentimentBook({ halfLifeMs: H, shockThreshold: -0.5 });
    book.apply(news({ id: 'a', eventTime: 2_000, sentiment: 0, relevance: 1 }));
    const late = book.apply(news({ id: 'b', eventTime: 1_000, sentiment: 1, relevance: 1 }));
    expect(late.asOf).toBe(2_000);
    expect(late.intensity).toBeCloseTo(1.5, 12);
    expect(late.ewmaSentiment).toBeCloseTo(0.5 / 1.5, 12);
  });
});
