import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corwinSchultzSpread, rollingSpreads } from '../../../services/replay/corwin-schultz.js';
import { parseCsv } from '../../../services/replay/csv-table.js';
import { parseDailyPrices } from '../../../services/replay/daily-prices.js';
import { DAILY_TICK_TIMES, dailyTicks } from '../../../services/replay/daily-ticks.js';
import { cpiYoYReleases, longRateReleases, vixReleases } from '../../../services/replay/macro-series.js';
import { macroEvent, mergeByEventTime, newsEvent, tickEvent } from '../../../services/replay/replay-event.js';
import { cashtags, parseTweets, tweetsToNews } from '../../../services/replay/tweet-news.js';
import type { MarketTick } from '../../../services/shared/contracts/records.js';
import { DATA_DIR } from '../../../services/shared/project-paths.js';

const data = (...p: string[]) => readFileSync(join(DATA_DIR, ...p), 'utf8');
/** The header and the first `n` data rows of a bundled file. */
const head = (n: number, ...p: string[]) =>
  data(...p)
    .split(/\r?\n/)
    .slice(0, n + 1)
    .join('\n');

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and line breaks inside quotes, CRLF and a BOM', () => {
    const rows = parseCsv('\ufefftext,label\r\n"a, ""b""\nc",1\r\nplain,2\r\n', 't.csv', ['text', 'label']);
    expect(rows).toEqual([
      { line: 2, cells: { text: 'a, "b"\nc', label: '1' } },
      { line: 4, cells: { text: 'plain', label: '2' } },
    ]);
  });

  it('names the file, line and problem', () => {
    expect(() => parseCsv('a,b\n1\n', 'x.csv')).toThrow('x.csv:2: expected 2 fields (a,b), got 1');
    expect(() => parseCsv('a\n"open\n', 'x.csv')).toThrow(
      /x.csv: a quoted field that starts on line 2 is never closed/,
    );
    expect(() => parseCsv('a\n1\n', 'x.csv', ['a', 'b'])).toThrow(/expected columns a, b; missing b/);
  });

  it('reads every tweet of the bundled files (multi-line tweets included)', () => {
    const train = parseTweets(data('news', 'twitter-financial-news-train.csv'), 'train');
    const valid = parseTweets(data('news', 'twitter-financial-news-valid.csv'), 'valid');
    expect(train).toHaveLength(9_543);
    expect(valid).toHaveLength(2_388);
    expect(train.some((t) => t.text.includes('\n'))).toBe(true);
  });
});

describe('daily prices -> ticks (real MSFT rows)', () => {
  const { prices, skipped } = parseDailyPrices(head(2, 'market', 'daily', 'MSFT.csv'), 'MSFT.csv');

  it('parses the rows', () => {
    expect(skipped).toEqual([]);
    expect(prices[0]).toEqual({
      day: Date.UTC(2012, 8, 4),
      open: 30.450001,
      high: 30.66,
      low: 30.15,
      close: 30.389999,
      adjClose: 26.525377,
      volume: 48_556_700,
    });
  });

  it('skips Yahoo "null" rows and impossible ranges, saying why', () => {
    const text =
      'Date,Open,High,Low,Close,Adj Close,Volume\n2012-01-03,null,null,null,null,null,null\n2012-01-04,10,9,8,9,9,100\n';
    const r = parseDailyPrices(text, 'X.csv');
    expect(r.prices).toEqual([]);
    expect(r.skipped.map((s) => s.why)).toEqual(['null prices', expect.stringContaining('expected 0 < Low')]);
  });

  it('makes four adjusted ticks per day: open, high, low, close on a down day', () => {
    const ticks = dailyTicks('MSFT', prices);
    expect(ticks).toHaveLength(8);
    const f = 26.525377 / 30.389999;
    const day1 = ticks.slice(0, 4);
    expect(day1.map((t) => t.last)).toEqual([30.450001 * f, 30.66 * f, 30.15 * f, 30.389999 * f]);
    expect(day1.map((t) => t.eventTime - Date.UTC(2012, 8, 4))).toEqual([...DAILY_TICK_TIMES]);
    expect(new Date(day1[0]!.eventTime).toISOString()).toBe('2012-09-04T14:30:00.000Z');
    expect(new Date(day1[3]!.eventTime).toISOString()).toBe('2012-09-04T20:00:00.000Z');
    expect(day1.map((t) => t.lastSize)).toEqual([12_139_175, 12_139_175, 12_139_175, 12_139_175]);
    expect(day1.map((t) => t.volume)).toEqual([12_139_175, 24_278_350, 36_417_525, 48_556_700]);
    const dayNumber = Date.UTC(2012, 8, 4) / 86_400_000;
    expect(day1.map((t) => t.sequence)).toEqual([0, 1, 2, 3].map((k) => dayNumber * 4 + k));
    for (const t of ticks) {
      expect(t).toMatchObject({ venue: 'replay', bidSize: 100, askSize: 100 });
      expect(t.bid).toBeLessThan(t.last);
      expect(t.ask).toBeGreaterThan(t.last);
    }
    // Day 1 has no earlier day: the spread is the 1 bp floor. Day 2 uses the Corwin-Schultz estimate.
    const spread = (t: (typeof ticks)[0]) => (t.ask - t.bid) / t.last;
    expect(spread(ticks[0]!)).toBeCloseTo(1e-4, 12);
    expect(spread(ticks[4]!)).toBeCloseTo(corwinSchultzSpread(30.66, 30.15, 30.530001, 30.209999), 12);
    // Day 2 closes flat (open 30.219999 < close 30.389999: an up day) -> low before high.
    expect(ticks.slice(4).map((t) => t.last / f)).toEqual([
      expect.closeTo(30.219999, 9),
      expect.closeTo(30.209999, 9),
      expect.closeTo(30.530001, 9),
      expect.closeTo(30.389999, 9),
    ]);
  });
});

describe('Corwin-Schultz', () => {
  it('matches a hand computation on two real days and is never negative', () => {
    expect(corwinSchultzSpread(30.66, 30.15, 30.53, 30.21)).toBeCloseTo(0.007326818383619279, 12);
    // Two days with the same tight range but far apart: alpha < 0, estimate 0.
    expect(corwinSchultzSpread(10.1, 10, 20.2, 20)).toBe(0);
  });

  it('averages the past window and floors at 1 bp', () => {
    const days = [
      { high: 30.66, low: 30.15 },
      { high: 30.53, low: 30.21 },
      { high: 60, low: 59.9 },
    ];
    const s = rollingSpreads(days, 20, 1e-4);
    expect(s[0]).toBe(1e-4);
    expect(s[1]).toBeCloseTo(0.007326818383619279, 12);
    expect(s[2]).toBeCloseTo((0.007326818383619279 + 0) / 2, 12);
  });
});

describe('macro series (real rows)', () => {
  it('VIX close -> US.VIX.CLOSE at 21:15 UTC with the previous close', () => {
    const r = vixReleases(head(2, 'macro', 'vix-daily.csv'), 'vix');
    expect(r).toEqual([
      {
        indicatorId: 'US.VIX.CLOSE',
        country: 'US',
        releaseTime: Date.parse('1990-01-02T21:15:00Z'),
        periodEnd: Date.parse('1990-01-02T21:15:00Z'),
        actual: 17.24,
        consensus: null,
        previous: null,
        unit: 'points',
      },
      expect.objectContaining({ actual: 18.19, previous: 17.24 }),
    ]);
  });

  it('CPI index -> year-over-year percent, released on the 15th of the next month', () => {
    const all = cpiYoYReleases(data('macro', 'cpi-us-monthly.csv'), 'cpi');
    const jan2013 = all.find((r) => r.periodEnd === Date.UTC(2013, 1, 1));
    expect(jan2013).toMatchObject({
      indicatorId: 'US.CPI.YOY',
      releaseTime: Date.parse('2013-02-15T12:30:00Z'),
      unit: 'percent',
    });
    expect(jan2013?.actual).toBeCloseTo(1.5948646681225531, 12); // 230.28 / 226.665 - 1
    const dec2012 = all.find((r) => r.periodEnd === Date.UTC(2013, 0, 1));
    expect(jan2013?.previous).toBe(dec2012?.actual);
    // The first year has no year-ago index.
    expect(all[0]?.periodEnd).toBe(Date.UTC(1914, 1, 1));
  });

  it('Shiller long rate -> US.RATE.LONG at the start of the next month; zero months skipped', () => {
    const all = longRateReleases(data('macro', 'sp500-shiller-monthly.csv'), 'shiller');
    const jan2012 = all.find((r) => r.periodEnd === Date.UTC(2012, 1, 1));
    expect(jan2012).toMatchObject({ actual: 1.97, releaseTime: Date.UTC(2012, 1, 1), unit: 'percent' });
    expect(all.every((r) => r.actual > 0)).toBe(true);
    const rows = parseCsv(data('macro', 'sp500-shiller-monthly.csv'), 'shiller');
    const zeros = rows.filter((r) => Number(r.cells['Long Interest Rate']) === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(all).toHaveLength(rows.length - zeros);
  });
});

describe('tweets -> news', () => {
  const days = [Date.UTC(2016, 0, 4), Date.UTC(2016, 0, 5)];
  const tweets = [
    { text: '$XYZ $AAPL - Apple raised at Example Bank', label: 1 },
    { text: 'Markets slide as yields jump', label: 0 },
    { text: '$ZZZ: unrelated company news', label: 2 },
  ];

  it('maps labels, cashtags and relevance, leaves out tweets about other companies', () => {
    const { items, otherSymbols } = tweetsToNews(tweets, new Set(['AAPL', 'MSFT']), days);
    expect(otherSymbols).toBe(1);
    expect(items.map((n) => [n.symbol, n.sentiment, n.relevance, n.confidence, n.source])).toEqual([
      ['AAPL', 1, 1, null, 'twitter-financial-news'],
      [null, -1, 0.5, null, 'twitter-financial-news'],
    ]);
    expect(cashtags('$brk.b and $AAPL, not $5')).toEqual(['BRK.B', 'AAPL']);
  });

  it('gives deterministic pseudo-times on replayed trading days, 14:30-20:00 UTC, and text-hash ids', () => {
    const a = tweetsToNews(tweets, new Set(['AAPL']), days).items;
    const b = tweetsToNews([...tweets].reverse(), new Set(['AAPL']), days).items;
    expect(new Map(a.map((n) => [n.id, n.eventTime]))).toEqual(new Map(b.map((n) => [n.id, n.eventTime])));
    for (const n of a) {
      const day = Math.floor(n.eventTime / 86_400_000) * 86_400_000;
      expect(days).toContain(day);
      const minute = (n.eventTime - day) / 60_000;
      expect(minute).toBeGreaterThanOrEqual(14 * 60 + 30);
      expect(minute).toBeLessThan(20 * 60);
      expect(n.id).toMatch(/^tw-[0-9a-f]{16}$/);
    }
    const dup = tweetsToNews([tweets[1]!, tweets[1]!], new Set(), days).items;
    expect(dup[0]).toEqual(dup[1]);
  });

  it('rejects an unknown label with the place', () => {
    expect(() => parseTweets('text,label\nhello,7\n', 'tw.csv')).toThrow(
      'tw.csv:2: label: expected 0 (bearish), 1 (bullish) or 2 (neutral), got 7',
    );
  });
});

describe('mergeByEventTime', () => {
  it('orders all feeds by event time, macro before news before ticks at equal times, keys market-wide news "*"', () => {
    const t = Date.UTC(2016, 0, 4, 14, 30);
    const tick = tickEvent({
      symbol: 'A',
      venue: 'replay',
      eventTime: t,
      sequence: 1,
      bid: 1,
      ask: 1,
      last: 1,
      bidSize: 1,
      askSize: 1,
      lastSize: 1,
      volume: 1,
    });
    const macro = macroEvent({
      indicatorId: 'US.VIX.CLOSE',
      country: 'US',
      releaseTime: t,
      periodEnd: t,
      actual: 1,
      consensus: null,
      previous: null,
      unit: 'points',
    });
    const news = newsEvent({
      id: 'n',
      symbol: null,
      eventTime: t,
      source: 's',
      headline: null,
      sentiment: 0,
      relevance: 0.5,
      confidence: null,
    });
    const early = tickEvent({ ...(tick.record as MarketTick), eventTime: t - 1 });
    expect(mergeByEventTime([tick], [news], [macro, early]).map((e) => e.feed)).toEqual([
      'ticks',
      'macro',
      'news',
      'ticks',
    ]);
    expect(news.key).toBe('*');
  });
});
