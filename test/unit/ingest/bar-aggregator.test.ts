import { describe, expect, it } from 'vitest';
import { BarAggregator, type BarTick } from '../../../services/ingest/ticks/bar-aggregator.js';
import { barStartOf, isWeekend, nextWeekdayBarStart } from '../../../services/ingest/ticks/bar-clock.js';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2017, 0, 2, 14, 30); // Monday 14:30 UTC, a minute boundary

const tk = (eventTime: number, last: number, lastSize: number, q: Partial<BarTick> = {}): BarTick => ({
  eventTime,
  last,
  lastSize,
  bid: last - 0.01,
  ask: last + 0.01,
  bidSize: 100,
  askSize: 100,
  ...q,
});

describe('bar clock', () => {
  it('aligns bars to the epoch in UTC and knows weekends', () => {
    expect(barStartOf(T0 + 59_999, MIN)).toBe(T0);
    expect(barStartOf(Date.UTC(2017, 0, 6, 23, 59), DAY)).toBe(Date.UTC(2017, 0, 6));
    expect(isWeekend(Date.UTC(2017, 0, 7))).toBe(true); // Saturday
    expect(isWeekend(Date.UTC(2017, 0, 8, 12))).toBe(true); // Sunday
    expect(isWeekend(Date.UTC(2017, 0, 9))).toBe(false); // Monday
    expect(nextWeekdayBarStart(Date.UTC(2017, 0, 7, 13), MIN)).toBe(Date.UTC(2017, 0, 9));
  });
});

describe('BarAggregator', () => {
  const settings = {
    intervalMs: MIN,
    ewmaLambda: 0.94,
    slowEwmaLambda: 0.995,
    volumeEwmaLambda: 0.5,
    volumeMinHistory: 2,
    fillSkipWeekends: false,
    maxFillBars: 2,
  };

  it('computes OHLC, VWAP, volume, spread and imbalance of a bar from out-of-order ticks', () => {
    const agg = new BarAggregator<string>(settings);
    agg.add('AAPL', tk(T0 + 10_000, 100, 10, { bid: 99.9, ask: 100.1, bidSize: 300, askSize: 100 }), 7, 'r7');
    agg.add('AAPL', tk(T0 + 5_000, 101, 30, { bid: 100.9, ask: 101.1 }), 8, 'r8');
    agg.add('AAPL', tk(T0 + 50_000, 99, 20, { bid: 98.95, ask: 99.05, bidSize: 100, askSize: 300 }), 9, 'r9');
    expect(agg.close('AAPL', T0 + MIN - 1)).toEqual([]);
    const [c] = agg.close('AAPL', T0 + MIN);
    expect(c?.contributors).toEqual(['r7', 'r8', 'r9']);
    const b = c?.bar;
    expect(b).toMatchObject({
      id: `AAPL|${T0 + MIN}`,
      barStart: T0,
      barEnd: T0 + MIN,
      open: 101, // earliest event time, although it arrived second
      high: 101,
      low: 99,
      close: 99,
      volume: 60,
      trades: 3,
      filled: false,
      logReturn: 0, // no previous close yet
      ewmaVol: 0,
      volumeZ: 0,
      volRatio: 0, // no return yet
      imbalance: -0.5, // (100 - 300) / 400 at the last quote
      firstOffset: 7,
    });
    expect(b?.vwap).toBeCloseTo((100 * 10 + 101 * 30 + 99 * 20) / 60, 12);
    expect(b?.hlRange).toBeCloseTo(Math.log(101 / 99), 12);
    const spreads = [(0.2 / 100) * 1e4, (0.2 / 101) * 1e4, (0.1 / 99) * 1e4];
    expect(b?.spreadBps).toBeCloseTo((spreads[0]! + spreads[1]! + spreads[2]!) / 3, 9);
  });

  it('computes returns, EWMA volatility, volume z-scores and fills by hand', () => {
    const agg = new BarAggregator<string>(settings);
    agg.add('X', tk(T0 + 1_000, 100, 60), 0, 'a'); // bar 1: volume 60
    agg.add('X', tk(T0 + MIN + 1_000, 102, 100), 1, 'b'); // bar 2: volume 100
    agg.add('X', tk(T0 + 5 * MIN + 1_000, 99, 30), 2, 'c'); // bar 6: after 3 empty bars
    const bars = agg.close('X', T0 + 6 * MIN).map((c) => c.bar);
    // bars 1, 2, filled 3 and 4 (maxFillBars 2), bar 5 not filled, bar 6.
    expect(bars.map((b) => [(b.barStart - T0) / MIN, b.filled])).toEqual([
      [0, false],
      [1, false],
      [2, true],
      [3, true],
      [5, false],
    ]);
    const [b1, b2, f3, f4, b6] = bars as [
      (typeof bars)[0],
      (typeof bars)[0],
      (typeof bars)[0],
      (typeof bars)[0],
      (typeof bars)[0],
    ];

    const r2 = Math.log(102 / 100);
    expect(b2.logReturn).toBeCloseTo(r2, 12);
    expect(b2.ewmaVol).toBeCloseTo(Math.abs(r2), 12); // the first return seeds the variance
    expect(b2.volumeZ).toBe(0); // fewer than two earlier bars

    // Volume statistics after bar 2 (lambda 0.5): mean = x1 + 0.5 d, var = 0.5 * (0 + 0.5 d^2).
    const x1 = Math.log(61);
    const x2 = Math.log(101);
    const d = x2 - x1;
    const mean = x1 + 0.5 * d;
    const variance = 0.5 * (0.5 * d * d);

    expect(f3).toMatchObject({ open: 102, high: 102, low: 102, close: 102, vwap: 102, volume: 0, trades: 0 });
    expect(f3.logReturn).toBe(0);
    expect(f3.hlRange).toBe(0);
    expect(f3.ewmaVol).toBeCloseTo(Math.sqrt(0.94 * r2 * r2), 12);
    expect(f3.volumeZ).toBeCloseTo((0 - mean) / Math.sqrt(variance), 12);
    expect(f3.firstOffset).toBeNull();
    expect(f4.ewmaVol).toBeCloseTo(Math.sqrt(0.94 * 0.94 * r2 * r2), 12);
    expect(f4.volumeZ).toBeCloseTo(f3.volumeZ, 12); // filled bars do not move the volume baseline
    expect(f4.spreadBps).toBeCloseTo(b2.spreadBps, 12);

    const r6 = Math.log(99 / 102);
    expect(b6.logReturn).toBeCloseTo(r6, 12);
    expect(b6.ewmaVol).toBeCloseTo(Math.sqrt(0.94 * (0.94 * 0.94 * r2 * r2) + 0.06 * r6 * r6), 12);
    expect(b6.volumeZ).toBeCloseTo((Math.log(31) - mean) / Math.sqrt(variance), 12);
    expect(b1.hlRange).toBe(0);
  });

  it('dead-letters a tick for a bar already emitted', () => {
    const agg = new BarAggregator<string>(settings);
    agg.add('X', tk(T0 + 1_000, 100, 1), 0, 'a');
    agg.close('X', T0 + MIN);
    expect(agg.add('X', tk(T0 + 2_000, 100, 1), 1, 'b')).toMatch(/already emitted/);
    expect(agg.add('X', tk(T0 + MIN, 100, 1), 2, 'c')).toBeNull();
  });

  it('fills up to the watermark, skipping weekends for daily bars', () => {
    const agg = new BarAggregator<string>({
      ...settings,
      intervalMs: DAY,
      fillSkipWeekends: true,
      maxFillBars: 10,
    });
    const fri = Date.UTC(2017, 0, 6);
    agg.add('X', tk(fri + 15 * 3_600_000, 50, 1), 0, 'a');
    // Watermark reaches Wednesday 14:30: Friday closes, then Monday and Tuesday are filled.
    const bars = agg.close('X', Date.UTC(2017, 0, 11, 14, 30)).map((c) => c.bar);
    expect(bars.map((b) => [new Date(b.barStart).toISOString().slice(0, 10), b.filled])).toEqual([
      ['2017-01-06', false],
      ['2017-01-09', true],
      ['2017-01-10', true],
    ]);
  });

  it('flushes open bars at the end of input without filling past the last one', () => {
    const agg = new BarAggregator<string>(settings);
    agg.add('X', tk(T0 + 1_000, 100, 1), 0, 'a');
    agg.add('X', tk(T0 + 2 * MIN + 1_000, 101, 1), 1, 'b');
    const bars = agg.flush('X').map((c) => c.bar);
    expect(bars.map((b) => [(b.barStart - T0) / MIN, b.filled])).toEqual([
      [0, false],
      [1, true],
      [2, false],
    ]);
    expect(agg.openBars('X')).toBe(0);
    expect(agg.add('X', tk(T0 + 2 * MIN + 5_000, 101, 1), 2, 'c')).toMatch(/already emitted/);
  });
});
