/**
 * Throughput of the windowing stage. (1) operators only: bars already decoded, through the as-of
 * join, ring windows, normalise and micro-batch in one synchronous burst; (2) the whole pipeline
 * on the embedded bus: encoded MarketBar records, decode, join, windows, batches, acks and
 * commits, consumed by a scorer stand-in that acks at once.
 * Run: npx tsx bench/windowing-throughput.ts [bars] [symbols]
 */
import { Registry } from 'prom-client';
import { firstValueFrom, from, last, Subject, scan } from 'rxjs';
import { EmbeddedBus } from '../services/shared/bus/embedded-bus.js';
import { createCodec } from '../services/shared/codec/create-codec.js';
import { loadConfig } from '../services/shared/config/load-config.js';
import { DEFAULT_MACRO_INDICATORS } from '../services/shared/contracts/feature-lists.js';
import type { MarketBar } from '../services/shared/contracts/records.js';
import { createLogger } from '../services/shared/logging/logger.js';
import { asOfJoin } from '../services/windowing/as-of-join.js';
import { microBatch } from '../services/windowing/micro-batch.js';
import { normalise } from '../services/windowing/normalise.js';
import { ringWindow } from '../services/windowing/ring-window.js';
import type { FeatureEvent } from '../services/windowing/windowing-events.js';
import { createWindowingPipeline } from '../services/windowing/windowing-pipeline.js';

const nBars = Number(process.argv[2] ?? 200_000);
const nSymbols = Number(process.argv[3] ?? 500);
const indicators = [...DEFAULT_MACRO_INDICATORS];
const T0 = 1_504_224_000_000;
const MIN = 60_000;

function bar(i: number): MarketBar {
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
    firstOffset: null,
  };
}

async function operatorsOnly() {
  const events: FeatureEvent[] = Array.from({ length: nBars }, (_, i) => ({
    kind: 'bar',
    bar: bar(i),
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

async function onEmbeddedBus() {
  const codec = await createCodec();
  const bus = new EmbeddedBus();
  const config = loadConfig({
    env: {},
    overrides: { windowing: { joinIdleMs: 0, stateDir: '/tmp/windowing-bench' } },
  });
  await bus.ensureTopics([
    { name: config.topics.featuresMarket.name, partitions: 6 },
    { name: config.topics.featuresSentiment.name, partitions: 6 },
    { name: config.topics.featuresMacro.name, partitions: 1 },
  ]);
  const sink = bus.sink();
  for (let i = 0; i < nBars; i += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, nBars - i) }, (_, k) => bar(i + k));
    await sink.send(
      chunk.map((b) => ({
        topic: config.topics.featuresMarket.name,
        key: b.symbol,
        value: codec.encode('MarketBar', b),
      })),
    );
  }
  const pipeline = createWindowingPipeline({
    config,
    transport: bus,
    codec,
    logger: createLogger('bench', { level: 'warn' }),
    metrics: new Registry(),
    now: Date.now,
  });
  const expected = nBars - Math.min(nBars, nSymbols * 31);
  const done = new Subject<void>();
  let rows = 0;
  let batches = 0;
  const started = performance.now();
  const sub = pipeline.batches$.subscribe((b) => {
    batches++;
    rows += b.size;
    for (const m of b.meta) m.ack();
    if (rows >= expected) done.next();
  });
  await firstValueFrom(done);
  const ms = performance.now() - started;
  sub.unsubscribe();
  return {
    bars: nBars,
    sequences: rows,
    batches,
    meanBatch: Math.round(rows / batches),
    barsPerSec: Math.round(nBars / (ms / 1000)),
    ms: Math.round(ms),
  };
}

console.log(JSON.stringify({ symbols: nSymbols, operatorsOnly: await operatorsOnly() }));
console.log(JSON.stringify({ symbols: nSymbols, embeddedBus: await onEmbeddedBus() }));
