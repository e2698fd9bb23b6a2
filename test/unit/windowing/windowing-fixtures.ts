import type {
  MacroFeature,
  MarketBar,
  SentimentFeature,
} from '../../../services/shared/contracts/records.js';
import type { BarEvent, MacroEvent, SentimentEvent } from '../../../services/windowing/windowing-events.js';

export const DAY = 86_400_000;

/** A bar of `symbol` ending at barEnd whose features are derived from (symbol, barEnd) so tests can recompute them. */
export function makeBar(symbol: string, barEnd: number, over: Partial<MarketBar> = {}): MarketBar {
  const h = [...symbol].reduce((s, c) => s + c.charCodeAt(0), 0);
  const x = (barEnd / 1000 + h) % 97;
  return {
    id: `${symbol}|${barEnd}`,
    symbol,
    barStart: barEnd - 10,
    barEnd,
    open: 100,
    high: 101,
    low: 99,
    close: 100 + x / 100,
    vwap: 100,
    volume: 1_000 + x,
    trades: 3,
    filled: false,
    logReturn: (x - 48) / 1000,
    hlRange: 0.01 + x / 10_000,
    ewmaVol: 0.02 + x / 20_000,
    spreadBps: 1 + (x % 7),
    imbalance: ((x % 11) - 5) / 5,
    volumeZ: (x - 48) / 30,
    volRatio: (x % 13) / 20 - 0.3,
    firstOffset: null,
    ...over,
  };
}

export function makeSentiment(
  symbol: string,
  asOf: number,
  ewmaSentiment: number,
  over: Partial<SentimentFeature> = {},
): SentimentFeature {
  return {
    id: `${symbol}|${asOf}|n${asOf}`,
    symbol,
    asOf,
    ewmaSentiment,
    intensity: Math.abs(ewmaSentiment) * 2,
    negativeShock: ewmaSentiment < -0.5 ? 1 : 0,
    halfLifeMs: 1_000,
    items: 1,
    ...over,
  };
}

export function makeMacro(
  indicatorId: string,
  releaseTime: number,
  zScore: number,
  over: Partial<MacroFeature> = {},
): MacroFeature {
  return {
    indicatorId,
    releaseTime,
    periodEnd: releaseTime - 1,
    value: zScore * 10,
    zScore,
    change: zScore / 2,
    surprise: null,
    ...over,
  };
}

export const noAck = () => {};

export const barEv = (bar: MarketBar, partition = 0, ack = noAck, replay = false): BarEvent => ({
  kind: 'bar',
  bar,
  partition,
  replay,
  ack,
});

export const sentEv = (
  feature: SentimentFeature,
  partition: number | 'global' = 0,
  ack = noAck,
): SentimentEvent => ({
  kind: 'sentiment',
  feature,
  partition,
  ack,
});

export const macroEv = (feature: MacroFeature, ack = noAck): MacroEvent => ({ kind: 'macro', feature, ack });
