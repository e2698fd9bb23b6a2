/**
 * Throughput of the windowing stage. (1) operators only: bars already decoded, through the as-of
 * join, ring windows, normalise and micro-batch in one synchronous burst; (2) the whole pipeline
 * on the embedded bus: encoded MarketBar records, decode, join, windows, batches, acks and
 * commits, consumed by a scorer stand-in that acks at once.
 * Run: npx tsx bench/windowing-throughput.ts [bars] [symbols]
 */
import { Registry } from 'prom-client';
import { firstValueFrom, Subject } from 'rxjs';
import { EmbeddedBus } from '../services/shared/bus/embedded-bus.js';
import { createCodec } from '../services/shared/codec/create-codec.js';
import { loadConfig } from '../services/shared/config/load-config.js';
import { createLogger } from '../services/shared/logging/logger.js';
import { createWindowingPipeline } from '../services/windowing/windowing-pipeline.js';
import { runOperatorsOnly, syntheticBar } from './windowing-operators.js';

const nBars = Number(process.argv[2] ?? 200_000);
const nSymbols = Number(process.argv[3] ?? 500);
const bar = (i: number) => syntheticBar(i, nSymbols);

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

console.log(JSON.stringify({ symbols: nSymbols, operatorsOnly: await runOperatorsOnly(nBars, nSymbols) }));
console.log(JSON.stringify({ symbols: nSymbols, embeddedBus: await onEmbeddedBus() }));
