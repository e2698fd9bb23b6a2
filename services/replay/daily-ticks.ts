import type { MarketTick } from '../shared/contracts/records.js';
import { rollingSpreads } from './corwin-schultz.js';
import type { DailyPrice } from './daily-prices.js';

const DAY_MS = 86_400_000;
const minutes = (h: number, m: number) => (h * 60 + m) * 60_000;

/**
 * Times (UTC, from midnight) of the four ticks of a replayed day. All lie inside the regular US
 * session in both winter (14:30-21:00 UTC) and summer (13:30-20:00 UTC).
 */
export const DAILY_TICK_TIMES = [minutes(14, 30), minutes(16, 20), minutes(18, 10), minutes(20, 0)] as const;

/** Quote sizes of replayed ticks: one round lot each side, so imbalance is always 0 (not informative). */
export const REPLAY_QUOTE_SIZE = 100;

export const REPLAY_VENUE = 'replay';

/**
 * Four ticks per trading day from daily OHLCV: open, then the low and high (low first on an up day,
 * high first on a down day, the path with the shorter travel), then the close. Prices are
 * adjusted by AdjClose / Close so splits and dividends do not look like crashes; the day's volume
 * is split evenly over the four trades (remainder on the close) and the cumulative volume restarts
 * each day. Bid and ask sit around the trade at the Corwin-Schultz spread of the past 20 days
 * (floored at 1 bp). Sequences are day-number * 4 + k, strictly increasing and stable under any
 * date filter.
 */
export function dailyTicks(symbol: string, prices: readonly DailyPrice[]): MarketTick[] {
  const factors = prices.map((p) => p.adjClose / p.close);
  const adjusted = prices.map((p, i) => {
    const f = factors[i] as number;
    return { high: p.high * f, low: p.low * f };
  });
  const spreads = rollingSpreads(adjusted);
  const ticks: MarketTick[] = [];
  prices.forEach((p, i) => {
    const f = factors[i] as number;
    const path = p.close >= p.open ? [p.open, p.low, p.high, p.close] : [p.open, p.high, p.low, p.close];
    const quarter = Math.floor(p.volume / 4);
    const sizes = [quarter, quarter, quarter, p.volume - 3 * quarter];
    const half = (spreads[i] as number) / 2;
    const dayNumber = Math.floor(p.day / DAY_MS);
    let cumulative = 0;
    path.forEach((raw, k) => {
      const last = raw * f;
      const size = sizes[k] as number;
      cumulative += size;
      ticks.push({
        symbol,
        venue: REPLAY_VENUE,
        eventTime: p.day + (DAILY_TICK_TIMES[k] as number),
        sequence: dayNumber * 4 + k,
        bid: last * (1 - half),
        ask: last * (1 + half),
        last,
        bidSize: REPLAY_QUOTE_SIZE,
        askSize: REPLAY_QUOTE_SIZE,
        lastSize: size,
        volume: cumulative,
      });
    });
  });
  return ticks;
}
