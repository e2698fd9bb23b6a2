/**
 * The windowing operators in one synchronous burst over synthetic bars (no decode, no bus):
 * as-of join, per-symbol ring windows, normalisation and micro-batching into SequenceBatch
 * Float32Arrays, acked at once. Shared by windowing-bench.ts (make bench) and
 * windowing-throughput.ts (the ad-hoc run that also measures the embedded-bus pipeline).
 */
import { firstValueFrom, from, last, scan } from 'rxjs';
import { DEFAULT_MACRO_INDICATORS } from '../services/shared/contracts/feature-lists.js';
import type { MarketBar } from '../services/shared/contracts/records.js';
import { asOfJoin } from '../services/windowing/as-of-join.js';
import { microBatch } from '../services/windowing/micro-batch.js';
import { normalise } from '../services/windowing/normalise.js';
import { ringWindow } from '../services/windowing/ring-window.js';
import type { FeatureEvent } from '../services/windowing/windowing-events.js';

const indicators = [...DEFAULT_MACRO_INDICATORS];
const T0 = 1_504_224_000_000;
const MIN = 60_000;

export function syntheticBar(i: number, nSymbols: number): MarketBar {
  const symbol = `S${i % nSymbols}`;
  const barEnd = T0 + Math.floor(i / nSymbols + 1) * MIN;
  const x = Math.sin(i);
  return {
    id: `${symbol}|${barEnd}`,
    symbol,
    barStart: barEnd - MIN,
    barEnd,
    open: 100,
    high: 101,
    low: 99,
    close: 100 + x,
    vwap: 100,
    volume: 1000,
    trades: 10,
    filled: false,
    logReturn: x / 100,
    hlRange: 0.01,
    ewmaVol: 0.02,
    spreadBps: 1.5,
    imbalance: x / 2,
    volumeZ: x,
    volRatio: -x / 2,
    firstOffset: null,
  };
}

export async function runOperatorsOnly(nBars: number, nSymbols: number) {
  const events: FeatureEvent[] = Array.from({ length: nBars }, (_, i) => ({
    kind: 'bar',
    bar: syntheticBar(i, nSymbols),
    partition: i % 6,
    replay: false,
    ack: () => {},
  }));
  const started = performance.now();
  const sequences = await firstValueFrom(
    from(events).pipe(
      asOfJoin({
        indicators,
        joinIdleMs: 0,
        joinMaxWaitMs: 0,
        joinMaxHeld: 1e6,
        idleEvictMs: 7 * 86_400_000,
        sentimentHistoryPerKey: 64,
        awaitMacroBootstrap: false,
      }),
      ringWindow({ seqLen: 32, idleEvictMs: 7 * 86_400_000 }),
      normalise({ indicators, clip: 5 }),
      microBatch({ maxSize: 256, maxDelayMs: 20, indicators }),
      scan((n, b) => {
        for (const m of b.meta) m.ack();
        return n + b.size;
      }, 0),
      last(),
    ),
  );
  const ms = performance.now() - started;
  return { bars: nBars, sequences, barsPerSec: Math.round(nBars / (ms / 1000)), ms: Math.round(ms) };
}
