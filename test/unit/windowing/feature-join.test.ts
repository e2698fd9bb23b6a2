import { describe, expect, it } from 'vitest';
import { macroFeatureNames, SENTIMENT_FEATURES } from '../../../services/shared/contracts/feature-lists.js';
import {
  decaySentiment,
  joinBar,
  MARKET_WIDE_KEY,
  macroVectorAsOf,
  sentimentVectorAsOf,
} from '../../../services/windowing/feature-join.js';
import { MacroTable } from '../../../services/windowing/macro-table.js';
import { SentimentBook } from '../../../services/windowing/sentiment-book.js';
import { makeBar, makeMacro, makeSentiment } from './windowing-fixtures.js';

const IND = ['VIX', 'CPI'];

describe('macroVectorAsOf', () => {
  it('uses only releases published at or before the bar end, forward-filled, 0 before any', () => {
    const t = new MacroTable(IND);
    t.upsert(makeMacro('VIX', 100, 1));
    t.upsert(makeMacro('VIX', 200, 2));
    t.upsert(makeMacro('CPI', 150, -1));
    expect(macroVectorAsOf(t, IND, 99)).toEqual([0, 0, 0, 0]);
    expect(macroVectorAsOf(t, IND, 100)).toEqual([1, 0.5, 0, 0]);
    expect(macroVectorAsOf(t, IND, 199)).toEqual([1, 0.5, -1, -0.5]);
    expect(macroVectorAsOf(t, IND, 10_000)).toEqual([2, 1, -1, -0.5]);
    expect(macroFeatureNames(IND)).toEqual(['VIX.zScore', 'VIX.change', 'CPI.zScore', 'CPI.change']);
  });

  it('keeps revisions point-in-time: a later revision of an old period never shows up early or wins over a newer period', () => {
    const t = new MacroTable(['CPI']);
    t.upsert(makeMacro('CPI', 100, 1, { periodEnd: 50 })); // Jan, first print
    t.upsert(makeMacro('CPI', 200, 2, { periodEnd: 150 })); // Feb
    t.upsert(makeMacro('CPI', 250, 9, { periodEnd: 50 })); // Jan revised
    expect(macroVectorAsOf(t, ['CPI'], 120)[0]).toBe(1);
    expect(macroVectorAsOf(t, ['CPI'], 300)[0]).toBe(2);
    t.upsert(makeMacro('CPI', 260, 3, { periodEnd: 150 })); // Feb revised
    expect(macroVectorAsOf(t, ['CPI'], 255)[0]).toBe(2);
    expect(macroVectorAsOf(t, ['CPI'], 260)[0]).toBe(3);
    expect(t.size).toBe(4);
  });

  it('replaces a re-delivered release, ignores untracked indicators and applies tombstones', () => {
    const t = new MacroTable(IND);
    t.upsert(makeMacro('VIX', 100, 1));
    t.upsert(makeMacro('VIX', 100, 5));
    expect(t.upsert(makeMacro('OTHER', 100, 1))).toBe(false);
    expect(t.size).toBe(1);
    expect(macroVectorAsOf(t, IND, 100)[0]).toBe(5);
    expect(t.removeKey('VIX|99')).toBe(1);
    expect(macroVectorAsOf(t, IND, 100)).toEqual([0, 0, 0, 0]);
    expect(t.removeKey('garbage')).toBe(0);
  });

  it('handles releases arriving out of order', () => {
    const t = new MacroTable(['VIX']);
    for (const r of [500, 100, 300, 200, 400]) t.upsert(makeMacro('VIX', r, r / 100, { periodEnd: r }));
    for (const at of [50, 100, 250, 399, 400, 1_000])
      expect(macroVectorAsOf(t, ['VIX'], at)[0]).toBe(at < 100 ? 0 : Math.min(5, Math.floor(at / 100)));
  });
});

describe('sentimentVectorAsOf', () => {
  it('decays every value toward 0 with the half-life, from asOf to the bar end', () => {
    const s = makeSentiment('A', 1_000, 0.8, { intensity: 4, negativeShock: 1, halfLifeMs: 500 });
    expect(decaySentiment(s, 1_000)).toEqual({ ewmaSentiment: 0.8, intensity: 4, negativeShock: 1 });
    expect(decaySentiment(s, 2_000)).toEqual({ ewmaSentiment: 0.2, intensity: 1, negativeShock: 0.25 });
    expect(decaySentiment(undefined, 2_000)).toEqual({ ewmaSentiment: 0, intensity: 0, negativeShock: 0 });
  });

  it('joins the symbol state and the market-wide state as of the bar end, never a later item', () => {
    const book = new SentimentBook();
    book.upsert(makeSentiment('A', 100, 0.5, { halfLifeMs: 1e12 }));
    book.upsert(makeSentiment('A', 300, -0.9, { halfLifeMs: 1e12 }));
    book.upsert(makeSentiment(MARKET_WIDE_KEY, 150, 0.25, { intensity: 7, halfLifeMs: 1e12 }));
    const v = sentimentVectorAsOf(book, 'A', 200);
    expect(v).toHaveLength(SENTIMENT_FEATURES.length);
    expect(v[0]).toBeCloseTo(0.5, 9);
    expect(v[3]).toBeCloseTo(0.25, 9);
    expect(v[4]).toBeCloseTo(7, 9);
    expect(sentimentVectorAsOf(book, 'A', 99)).toEqual([0, 0, 0, 0, 0]);
    expect(sentimentVectorAsOf(book, 'B', 1_000).slice(0, 3)).toEqual([0, 0, 0]);
  });

  it('keeps the newest states per key and replaces a re-delivered item by id', () => {
    const book = new SentimentBook(2);
    for (const at of [10, 20, 30]) book.upsert(makeSentiment('A', at, at / 100));
    book.upsert(makeSentiment('A', 30, 0.99));
    expect(book.size).toBe(2);
    expect(book.asOf('A', 15)).toBeUndefined();
    expect(book.asOf('A', 35)?.ewmaSentiment).toBe(0.99);
  });
});

describe('joinBar', () => {
  it('builds the raw JoinedBar in feature-list order', () => {
    const t = new MacroTable(IND);
    t.upsert(makeMacro('CPI', 5, 2));
    const book = new SentimentBook();
    const b = makeBar('A', 50);
    const j = joinBar(b, t, book, IND);
    expect(j.bar).toBe(b);
    expect(j.macro).toEqual([0, 0, 2, 1]);
    expect(j.sentiment).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('windowing config', () => {
  it('has defaults, reads RISK_WINDOWING_* and refuses a join that could hold the whole in-flight budget', async () => {
    const { loadConfig } = await import('../../../services/shared/config/load-config.js');
    const c = loadConfig({
      env: { RISK_WINDOWING_MACRO_INDICATORS: 'US.VIX.CLOSE, X.Y', RISK_WINDOWING_SEQ_LEN: '16' },
    });
    expect(c.windowing.seqLen).toBe(16);
    expect(c.windowing.macroIndicators).toEqual(['US.VIX.CLOSE', 'X.Y']);
    expect(c.windowing.batchMaxSize).toBe(256);
    expect(c.windowing.batchMaxDelayMs).toBe(20);
    expect(() => loadConfig({ env: { RISK_WINDOWING_JOIN_MAX_HELD: '20000' } })).toThrow(
      /windowing.joinMaxHeld .*expected fewer than maxInFlight/,
    );
  });
});
