import type { Transport } from '../../services/shared/bus/transport.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import {
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../../services/shared/contracts/feature-lists.js';
import type { MacroFeature, MarketBar, SentimentFeature } from '../../services/shared/contracts/records.js';
import { type ScalerParams, scaleInto } from '../../services/shared/contracts/scaler.js';
import type { JoinedBar, SequenceBatch } from '../../services/shared/contracts/sequence-batch.js';
import { joinBar, MARKET_WIDE_KEY } from '../../services/windowing/feature-join.js';
import { MacroTable } from '../../services/windowing/macro-table.js';
import { SentimentBook } from '../../services/windowing/sentiment-book.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** 2017-09-01T00:00:00Z */
export const START = 1_504_224_000_000;
export const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'JPM', 'XOM', 'NVDA'];
export const INDICATORS = ['US.VIX.CLOSE', 'US.CPI.YOY', 'US.RATE.LONG'];

export interface FeatureData {
  bars: MarketBar[];
  sentiment: SentimentFeature[];
  macro: MacroFeature[];
}

export interface FeatureTopicNames {
  market: string;
  sentiment: string;
  macro: string;
}

const wave = (i: number, k: number) => Math.sin(i * 0.7 + k * 1.3);

/**
 * Daily bars for days [fromDay, toDay) of every symbol, with sentiment items and macro releases
 * in between. Every stream ends with an item 1 ms after the last bar's end, so the streams'
 * watermarks pass every bar of the slice and nothing waits for idleness.
 */
export function featureData(
  fromDay: number,
  toDay: number,
  symbols: readonly string[] = SYMBOLS,
): FeatureData {
  const bars: MarketBar[] = [];
  const sentiment: SentimentFeature[] = [];
  const macro: MacroFeature[] = [];
  const afterLast = START + toDay * DAY + 1;
  for (let d = fromDay; d < toDay; d++) {
    const barEnd = START + (d + 1) * DAY;
    symbols.forEach((symbol, k) => {
      const x = wave(d, k);
      bars.push({
        id: `${symbol}|${barEnd}`,
        symbol,
        barStart: barEnd - DAY,
        barEnd,
        open: 100,
        high: 101 + x,
        low: 99 + x,
        close: 100 + x,
        vwap: 100 + x / 2,
        volume: 1_000_000 * (2 + x),
        trades: 100,
        filled: false,
        logReturn: x / 100,
        hlRange: 0.02 + x / 200,
        ewmaVol: 0.015 + wave(d, k + 3) / 300,
        spreadBps: 2 + wave(d, k + 5),
        imbalance: wave(d, k + 7) / 2,
        volumeZ: wave(d, k + 11) * 2,
        volRatio: wave(d, k + 13) / 2,
        firstOffset: null,
      });
      if ((d + k) % 3 === 0 || d === toDay - 1) {
        const asOf = d === toDay - 1 ? afterLast : barEnd - 6 * HOUR;
        sentiment.push({
          id: `${symbol}|${asOf}|n${d}`,
          symbol,
          asOf,
          ewmaSentiment: wave(d, k + 13) * 0.8,
          intensity: 1 + (d % 4),
          negativeShock: wave(d, k + 13) < -0.6 ? 1 : 0,
          halfLifeMs: 2 * DAY,
          items: d + 1,
        });
      }
    });
    if (d % 4 === 0 || d === toDay - 1) {
      const asOf = d === toDay - 1 ? afterLast : barEnd - 3 * HOUR;
      sentiment.push({
        id: `*|${asOf}|m${d}`,
        symbol: MARKET_WIDE_KEY,
        asOf,
        ewmaSentiment: wave(d, 17) * 0.5,
        intensity: 3,
        negativeShock: 0,
        halfLifeMs: 3 * DAY,
        items: d + 1,
      });
    }
    const vixAt = d === toDay - 1 ? afterLast : barEnd - 2 * HOUR;
    macro.push({
      indicatorId: 'US.VIX.CLOSE',
      releaseTime: vixAt,
      periodEnd: vixAt,
      value: 12 + wave(d, 19),
      zScore: wave(d, 19),
      change: wave(d, 19) - wave(d - 1, 19),
      surprise: null,
    });
    if (d % 10 === 3) {
      macro.push({
        indicatorId: 'US.CPI.YOY',
        releaseTime: barEnd - 10 * HOUR,
        periodEnd: barEnd - 20 * DAY,
        value: 1.9 + d / 100,
        zScore: wave(d, 23),
        change: 0.01 * d,
        surprise: 0.1,
      });
    }
    if (d % 7 === 5) {
      macro.push({
        indicatorId: 'US.RATE.LONG',
        releaseTime: barEnd - 12 * HOUR,
        periodEnd: barEnd - DAY,
        value: 2.2,
        zScore: wave(d, 29),
        change: 0.02,
        surprise: null,
      });
    }
  }
  return { bars, sentiment, macro };
}

export function mergeData(...parts: FeatureData[]): FeatureData {
  return {
    bars: parts.flatMap((p) => p.bars),
    sentiment: parts.flatMap((p) => p.sentiment),
    macro: parts.flatMap((p) => p.macro),
  };
}

/** Produces the records like the ingest consumers do: keyed by symbol / `${indicatorId}|${periodEnd}`. */
export async function produceFeatures(
  transport: Transport,
  codec: Codec,
  topics: FeatureTopicNames,
  data: FeatureData,
): Promise<void> {
  const sink = transport.sink();
  await sink.send(
    data.macro.map((m) => ({
      topic: topics.macro,
      key: `${m.indicatorId}|${m.periodEnd}`,
      value: codec.encode('MacroFeature', m),
    })),
  );
  await sink.send(
    data.sentiment.map((s) => ({
      topic: topics.sentiment,
      key: s.symbol,
      value: codec.encode('SentimentFeature', s),
    })),
  );
  await sink.send(
    data.bars.map((b) => ({ topic: topics.market, key: b.symbol, value: codec.encode('MarketBar', b) })),
  );
  await sink.close();
}

/** The reference: every bar joined over the whole data set with the shared as-of functions. */
export function joinedReference(
  data: FeatureData,
  indicators: readonly string[] = INDICATORS,
): Map<string, JoinedBar[]> {
  const table = new MacroTable(indicators);
  for (const m of data.macro) table.upsert(m);
  const book = new SentimentBook();
  for (const s of data.sentiment) book.upsert(s);
  const bySymbol = new Map<string, JoinedBar[]>();
  for (const b of [...data.bars].sort((x, y) => x.barEnd - y.barEnd)) {
    const list = bySymbol.get(b.symbol) ?? [];
    list.push(joinBar(b, table, book, indicators));
    bySymbol.set(b.symbol, list);
  }
  return bySymbol;
}

/** Expected sequences by `${symbol}|${barTime}`: the L joined bars ending at each bar. */
export function expectedSequences(
  reference: Map<string, JoinedBar[]>,
  seqLen: number,
): Map<string, JoinedBar[]> {
  const out = new Map<string, JoinedBar[]>();
  for (const [symbol, list] of reference) {
    for (let i = seqLen - 1; i < list.length; i++) {
      out.set(`${symbol}|${(list[i] as JoinedBar).bar.barEnd}`, list.slice(i - seqLen + 1, i + 1));
    }
  }
  return out;
}

/** A fixed scaler so tensors are comparable across instances (running statistics are per instance). */
export function fixedScaler(indicators: readonly string[] = INDICATORS): ScalerParams {
  const g = (names: readonly string[], scale: number) => ({
    names: [...names],
    mean: names.map((_, i) => i * 0.01),
    std: names.map((_, i) => scale * (1 + i / 10)),
  });
  return {
    market: g(MARKET_FEATURES, 0.05),
    macro: g(macroFeatureNames(indicators), 1),
    sentiment: g(SENTIMENT_FEATURES, 0.5),
    clip: 6,
  };
}

/**
 * Differences between one batch row and the expected window: raw meta values and every tensor
 * element against the fixed scaler. Empty when they agree.
 */
export function rowDifferences(
  batch: SequenceBatch,
  b: number,
  expected: readonly JoinedBar[],
  scaler: ScalerParams,
  indicators: readonly string[] = INDICATORS,
): string[] {
  const diffs: string[] = [];
  const { seqLen: L, marketWidth: F, macroWidth: M, sentimentWidth: S } = batch;
  const meta = batch.meta[b];
  const newest = expected[expected.length - 1];
  if (!meta || !newest) return ['missing row'];
  const key = `${meta.symbol}|${meta.barTime}`;
  if (L !== expected.length) diffs.push(`${key}: seqLen ${L}, expected ${expected.length}`);
  if (meta.lastBar.id !== newest.bar.id)
    diffs.push(`${key}: lastBar ${meta.lastBar.id}, expected ${newest.bar.id}`);
  const names = macroFeatureNames(indicators);
  names.forEach((n, i) => {
    if (meta.macro[n] !== newest.macro[i])
      diffs.push(`${key}: macro ${n} ${meta.macro[n]}, expected ${newest.macro[i]}`);
  });
  SENTIMENT_FEATURES.forEach((n, i) => {
    if (meta.sentiment[n] !== newest.sentiment[i])
      diffs.push(`${key}: sentiment ${n} ${meta.sentiment[n]}, expected ${newest.sentiment[i]}`);
  });
  const row = new Float32Array(L * F);
  expected.forEach((j, t) => {
    scaleInto(
      row,
      t * F,
      MARKET_FEATURES.map((f) => j.bar[f]),
      scaler.market,
      scaler.clip,
    );
  });
  for (let i = 0; i < L * F; i++)
    if (batch.market[b * L * F + i] !== row[i]) {
      diffs.push(
        `${key}: market[${Math.floor(i / F)}, ${i % F}] ${batch.market[b * L * F + i]}, expected ${row[i]}`,
      );
      break;
    }
  const mac = new Float32Array(M);
  scaleInto(mac, 0, newest.macro, scaler.macro, scaler.clip);
  const sen = new Float32Array(S);
  scaleInto(sen, 0, newest.sentiment, scaler.sentiment, scaler.clip);
  for (let i = 0; i < M; i++)
    if (batch.macro[b * M + i] !== mac[i]) diffs.push(`${key}: macro tensor [${i}] differs`);
  for (let i = 0; i < S; i++)
    if (batch.sentiment[b * S + i] !== sen[i]) diffs.push(`${key}: sentiment tensor [${i}] differs`);
  return diffs;
}

export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
