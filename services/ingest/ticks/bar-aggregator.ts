import type { MarketBar } from '../../shared/contracts/records.js';
import { barStartOf, isWeekend, nextWeekdayBarStart } from './bar-clock.js';
import { BarFeatureState, type BarTotals, type FeatureSettings } from './bar-features.js';

export interface BarSettings extends FeatureSettings {
  intervalMs: number;
  fillSkipWeekends: boolean;
  maxFillBars: number;
}

/** The fields of a tick a bar needs. */
export interface BarTick {
  eventTime: number;
  last: number;
  lastSize: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

interface OpenBar<C> extends BarTotals {
  start: number;
  openAt: number;
  closeAt: number;
  firstOffset: number | null;
  contributors: C[];
}

export interface ClosedBar<C> {
  bar: MarketBar;
  /** The inputs that went into the bar (none for a filled bar). */
  contributors: C[];
}

class SymbolBars<C> {
  readonly open = new Map<number, OpenBar<C>>();
  /** Bars ending at or before this are final; a tick for one of them is late. */
  closedThrough = Number.NEGATIVE_INFINITY;
  /** Start of the first interval not yet emitted, filled or skipped; undefined before the first bar. */
  cursor: number | undefined;
  fillsSinceReal = 0;
  readonly features: BarFeatureState;

  constructor(settings: FeatureSettings) {
    this.features = new BarFeatureState(settings);
  }
}

/**
 * Event-time bars per symbol. Ticks may arrive out of order inside open bars (open/close follow
 * event time, ties in arrival order). Bars are closed by the caller (`close` when a watermark
 * passes, `flush` at end of input) and then get their features, strictly in bar order, with the
 * intervals between real bars filled (previous close, zero volume) up to maxFillBars in a row.
 */
export class BarAggregator<C> {
  private readonly symbols = new Map<string, SymbolBars<C>>();

  constructor(private readonly settings: BarSettings) {}

  private state(symbol: string): SymbolBars<C> {
    let s = this.symbols.get(symbol);
    if (!s) {
      s = new SymbolBars(this.settings);
      this.symbols.set(symbol, s);
    }
    return s;
  }

  /** Adds a tick to its bar; returns a message instead when that bar was already emitted. */
  add(symbol: string, tick: BarTick, offset: number | null, contributor: C): string | null {
    const s = this.state(symbol);
    const I = this.settings.intervalMs;
    const start = barStartOf(tick.eventTime, I);
    if (start + I <= s.closedThrough) {
      return `the ${symbol} bar [${new Date(start).toISOString()}, +${I} ms) was already emitted`;
    }
    const mid = (tick.ask + tick.bid) / 2;
    const spreadBps = ((tick.ask - tick.bid) / mid) * 1e4;
    const bar = s.open.get(start);
    if (!bar) {
      s.open.set(start, {
        start,
        open: tick.last,
        high: tick.last,
        low: tick.last,
        close: tick.last,
        volume: tick.lastSize,
        priceVolume: tick.last * tick.lastSize,
        ticks: 1,
        spreadBpsSum: spreadBps,
        bidSize: tick.bidSize,
        askSize: tick.askSize,
        openAt: tick.eventTime,
        closeAt: tick.eventTime,
        firstOffset: offset,
        contributors: [contributor],
      });
      return null;
    }
    if (tick.eventTime < bar.openAt) {
      bar.open = tick.last;
      bar.openAt = tick.eventTime;
    }
    if (tick.eventTime >= bar.closeAt) {
      bar.close = tick.last;
      bar.closeAt = tick.eventTime;
      bar.bidSize = tick.bidSize;
      bar.askSize = tick.askSize;
    }
    if (tick.last > bar.high) bar.high = tick.last;
    if (tick.last < bar.low) bar.low = tick.last;
    bar.volume += tick.lastSize;
    bar.priceVolume += tick.last * tick.lastSize;
    bar.ticks++;
    bar.spreadBpsSum += spreadBps;
    if (offset !== null && (bar.firstOffset === null || offset < bar.firstOffset)) bar.firstOffset = offset;
    bar.contributors.push(contributor);
    return null;
  }

  /** Closes the symbol's bars that end at or before `finalized`, filling gaps up to it. */
  close(symbol: string, finalized: number): ClosedBar<C>[] {
    const s = this.symbols.get(symbol);
    if (!s) return [];
    const limit = barStartOf(finalized, this.settings.intervalMs);
    return this.closeThrough(symbol, s, limit, true);
  }

  /** End of input: closes every open bar of the symbol (gaps between them filled, none after). */
  flush(symbol: string): ClosedBar<C>[] {
    const s = this.symbols.get(symbol);
    if (!s || s.open.size === 0) return [];
    const lastStart = Math.max(...s.open.keys());
    return this.closeThrough(symbol, s, lastStart + this.settings.intervalMs, false);
  }

  /** Symbols with state (open bars or a feature history). */
  knownSymbols(): string[] {
    return [...this.symbols.keys()];
  }

  openBars(symbol: string): number {
    return this.symbols.get(symbol)?.open.size ?? 0;
  }

  /**
   * Forgets a symbol's open bars (its partition was revoked; the ticks come again elsewhere) but
   * keeps its feature history and cursor.
   */
  dropOpen(symbol: string): void {
    this.symbols.get(symbol)?.open.clear();
  }

  private closeThrough(
    symbol: string,
    s: SymbolBars<C>,
    limit: number,
    fillToLimit: boolean,
  ): ClosedBar<C>[] {
    if (limit > s.closedThrough) s.closedThrough = limit;
    const I = this.settings.intervalMs;
    const ready = [...s.open.values()].filter((b) => b.start + I <= limit).sort((a, b) => a.start - b.start);
    const out: ClosedBar<C>[] = [];
    for (const b of ready) {
      s.open.delete(b.start);
      if (s.cursor !== undefined) this.fill(symbol, s, s.cursor, b.start, out);
      out.push(this.realBar(symbol, s, b));
      s.cursor = b.start + I;
      s.fillsSinceReal = 0;
    }
    if (fillToLimit && s.cursor !== undefined && s.cursor < limit) {
      this.fill(symbol, s, s.cursor, limit, out);
      s.cursor = limit;
    }
    return out;
  }

  private fill(symbol: string, s: SymbolBars<C>, from: number, to: number, out: ClosedBar<C>[]): void {
    const { intervalMs: I, fillSkipWeekends, maxFillBars } = this.settings;
    let t = from;
    while (t < to && s.fillsSinceReal < maxFillBars) {
      if (fillSkipWeekends && isWeekend(t)) {
        t = nextWeekdayBarStart(t, I);
        continue;
      }
      const f = s.features.filled();
      const close = s.features.prevClose as number;
      out.push({
        bar: {
          id: `${symbol}|${t + I}`,
          symbol,
          barStart: t,
          barEnd: t + I,
          open: close,
          high: close,
          low: close,
          close,
          vwap: f.vwap,
          volume: 0,
          trades: 0,
          filled: true,
          logReturn: f.logReturn,
          hlRange: f.hlRange,
          ewmaVol: f.ewmaVol,
          spreadBps: f.spreadBps,
          imbalance: f.imbalance,
          volumeZ: f.volumeZ,
          volRatio: f.volRatio,
          firstOffset: null,
        },
        contributors: [],
      });
      s.fillsSinceReal++;
      t += I;
    }
  }

  private realBar(symbol: string, s: SymbolBars<C>, b: OpenBar<C>): ClosedBar<C> {
    const f = s.features.real(b);
    const end = b.start + this.settings.intervalMs;
    return {
      bar: {
        id: `${symbol}|${end}`,
        symbol,
        barStart: b.start,
        barEnd: end,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        vwap: f.vwap,
        volume: b.volume,
        trades: b.ticks,
        filled: false,
        logReturn: f.logReturn,
        hlRange: f.hlRange,
        ewmaVol: f.ewmaVol,
        spreadBps: f.spreadBps,
        imbalance: f.imbalance,
        volumeZ: f.volumeZ,
        volRatio: f.volRatio,
        firstOffset: b.firstOffset,
      },
      contributors: b.contributors,
    };
  }
}
