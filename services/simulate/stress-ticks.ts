import { DAILY_TICK_TIMES } from '../replay/daily-ticks.js';
import type { MarketTick } from '../shared/contracts/records.js';
import type { FeatureScaling } from '../shared/contracts/scaler.js';

const DAY_MS = 86_400_000;

export const SIMULATE_VENUE = 'simulate';

export interface StressTickOptions {
  /** First trading day (UTC midnight); weekends are skipped like a market calendar. */
  startDay: number;
  startPrice: number;
  /** Shares traded on a bar with volumeZ = 0. */
  baseVolume: number;
}

/**
 * Generated feature paths (scaled, [symbols, bars, F]) -> the four daily ticks per bar the replay
 * uses (open, low / high, close; see daily-ticks.ts), so the ingest services build bars from
 * them exactly as from a replayed day. Per bar: close = previous close * exp(logReturn); the day's
 * log range is max(hlRange, |log close/open|) spread evenly around the open-close body; the bid
 * and ask sit spreadBps (at least 1 bp) apart around each trade; volume = baseVolume *
 * exp(volumeZ / 2). Features missing from `market` fall back to a 1 % range, 5 bp and baseVolume.
 */
export function stressTicks(
  paths: Float32Array,
  symbols: readonly string[],
  bars: number,
  market: FeatureScaling,
  options: StressTickOptions,
): MarketTick[] {
  const width = market.names.length;
  if (paths.length !== symbols.length * bars * width) {
    throw new RangeError(
      `stressTicks: ${paths.length} values for ${symbols.length} symbols x ${bars} bars x ${width} features`,
    );
  }
  const column = (name: string) => market.names.indexOf(name);
  const unscale = (j: number, v: number) => {
    const sd = market.std[j] as number;
    return v * (sd > 1e-12 ? sd : 1) + (market.mean[j] as number);
  };
  const at = (s: number, t: number, name: string, fallback: number) => {
    const j = column(name);
    return j < 0 ? fallback : unscale(j, paths[(s * bars + t) * width + j] as number);
  };
  const days = tradingDays(options.startDay, bars);
  const ticks: MarketTick[] = [];
  symbols.forEach((symbol, s) => {
    let close = options.startPrice;
    for (let t = 0; t < bars; t++) {
      const open = close;
      close = open * Math.exp(at(s, t, 'logReturn', 0));
      const body = Math.abs(Math.log(close / open));
      const extra = Math.max(0, at(s, t, 'hlRange', 0.01) - body) / 2;
      const high = Math.max(open, close) * Math.exp(extra);
      const low = Math.min(open, close) * Math.exp(-extra);
      const half = Math.max(1, at(s, t, 'spreadBps', 5)) / 2 / 10_000;
      const volume = Math.round(
        options.baseVolume * Math.exp(Math.max(-6, Math.min(6, at(s, t, 'volumeZ', 0))) / 2),
      );
      const path = close >= open ? [open, low, high, close] : [open, high, low, close];
      const quarter = Math.floor(volume / 4);
      const day = days[t] as number;
      let cumulative = 0;
      path.forEach((last, k) => {
        const size = k === 3 ? volume - 3 * quarter : quarter;
        cumulative += size;
        ticks.push({
          symbol,
          venue: SIMULATE_VENUE,
          eventTime: day + (DAILY_TICK_TIMES[k] as number),
          sequence: Math.floor(day / DAY_MS) * 4 + k,
          bid: last * (1 - half),
          ask: last * (1 + half),
          last,
          bidSize: 100,
          askSize: 100,
          lastSize: size,
          volume: cumulative,
        });
      });
    }
  });
  return ticks;
}

/** `count` weekdays from `start` (UTC midnight) on. */
export function tradingDays(start: number, count: number): number[] {
  const out: number[] = [];
  for (let day = start; out.length < count; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(day);
  }
  return out;
}
