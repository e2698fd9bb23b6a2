/**
 * Ticks -> ingest (bars) -> windowing -> scorer -> risk.scores, on the embedded bus or the local
 * Kafka broker, in this one process. Two phases:
 *  1. throughput: WARM_BARS bars of ticks for SYMBOLS symbols produced as fast as the transport
 *     takes them (event times in the recent past); ticks/s from the first tick produced until
 *     every closed bar that has a full window is scored;
 *  2. fixed offered load: SYMBOLS symbols x 1 bar/s for LIVE_SECONDS at wall-clock event times,
 *     2 ticks per symbol and bar: one inside the second, the bar's last one at its end, sent just
 *     before the next second's first ticks (which advance the watermark that closes the bar).
 *     Latency = score produced (emission written) - the bar's last tick produced.
 * Event times: phase 1 starts WARM_BARS + 2 s in the past and phase 2 continues from there.
 * Peak RSS is this process's (the broker runs in its own). Run: npx tsx bench/end-to-end-bench.ts embedded|kafka
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngestServices } from '../services/ingest/start-ingest-services.js';
import { ModelRegistry } from '../services/models/registry/model-registry.js';
import { selectTfBackend } from '../services/models/runtime/tf-backend.js';
import { startScorer } from '../services/scorer/main.js';
import { pipelineFeatures } from '../services/scorer/pipeline-features.js';
import { createTransport } from '../services/shared/bus/create-transport.js';
import type { OutboundRecord } from '../services/shared/bus/transport.js';
import { createCodec } from '../services/shared/codec/create-codec.js';
import { loadConfig } from '../services/shared/config/load-config.js';
import type { MarketTick } from '../services/shared/contracts/records.js';
import { createLogger } from '../services/shared/logging/logger.js';
import { createMetricsRegistry } from '../services/shared/metrics/metrics-registry.js';
import { benchScoringModels } from './bench-models.js';
import { figure, percentile, round } from './bench-stats.js';
import { figureMain, progress } from './figure-main.js';
import { type Broker, startBroker } from './local-broker.js';

const mode = process.argv[2] === 'kafka' ? 'kafka' : 'embedded';
const SYMBOLS = Number(process.env.BENCH_E2E_SYMBOLS ?? 5_000);
const SEQ_LEN = 32;
const WARM_BARS = SEQ_LEN + 6;
const LIVE_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 20);
/** Live seconds left out of the latency figures (the backlog of the switch from phase 1). */
const SETTLE_SECONDS = 5;
const SLICES = 10;
/** How long the backlog may drain after the last live tick before unscored bars are given up on. */
const DRAIN_MS = Number(process.env.BENCH_E2E_DRAIN_MS ?? 30_000);
const SEC = 1_000;
/** kafka.fetchMaxWaitMs for the run (the default 1,000 ms costs up to 1 s per hop on the mock). */
const FETCH_WAIT_MS = Number(process.env.BENCH_E2E_FETCH_WAIT_MS ?? 50);
/**
 * Records the embedded bus keeps per partition (embedded.retainRecords; 0 keeps every record, which
 * took RSS to ~1.2 GB at 5,000 symbols: ticks, bars and scores all stayed in memory).
 */
const EMBEDDED_RETAIN = Number(process.env.BENCH_E2E_EMBEDDED_RETAIN ?? 1_000);
/** Partitions of the symbol-keyed topics on the broker (6 by default in the config). */
const KAFKA_PARTITIONS = Number(process.env.BENCH_E2E_KAFKA_PARTITIONS ?? 32);

/** Memory now; with `node --expose-gc` after a full collection, i.e. what is live. */
const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const mb = (x: number) => Math.round(x / 2 ** 20);
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
};

const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(4, '0')}`);

await figureMain(`endToEnd.${mode}`, async () => {
  let broker: Broker | null = null;
  const state = mkdtempSync(join(tmpdir(), 'e2e-bench-'));
  let peakRss = 0;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    // librdkafka's mock keeps only the newest ~5 MB of each partition: at 5,000 symbols the
    // consumers' backlog on 6 partitions outgrew that and was truncated under them ("Offset out
    // of range"), so no bar was ever scored. More partitions keep each one's backlog below it.
    const topics = Object.fromEntries(
      Object.entries(loadConfig({ env: {} }).topics).map(([role, t]) => [
        role,
        { ...t, partitions: t.partitions === 6 ? KAFKA_PARTITIONS : t.partitions },
      ]),
    );
    if (mode === 'kafka') broker = await startBroker([], Object.values(topics));
    const config = loadConfig({
      env: {},
      overrides: {
        transport: mode,
        ...(mode === 'kafka' ? { topics } : { embedded: { retainRecords: EMBEDDED_RETAIN } }),
        // The mock cluster holds empty fetches for the whole wait (kafka.fetchMaxWaitMs).
        ...(broker
          ? {
              kafka: {
                brokers: broker.brokers,
                groupIdPrefix: `bench-${process.pid}`,
                fetchMaxWaitMs: FETCH_WAIT_MS,
              },
            }
          : {}),
        // In-order producers: a bar closes as soon as a later tick arrives on its partition.
        ingest: { barIntervalMs: SEC, maxOutOfOrdernessMs: 0 },
        windowing: { seqLen: SEQ_LEN, joinIdleMs: 0, joinMaxWaitMs: 0, stateDir: join(state, 'windowing') },
        influx: { enabled: false },
        log: { level: 'warn' },
      },
    });
    await selectTfBackend('wasm');
    const features = pipelineFeatures(config.windowing.macroIndicators);
    const models = await benchScoringModels(features, SEQ_LEN);
    progress(`endToEnd.${mode}`, 'models ready', {
      memory: memory(),
      riskRuntime: models.riskRuntime,
      maxAbsDiff: models.maxAbsDiff,
    });
    const logger = createLogger('bench', config.log);
    const transport = createTransport(config, logger);
    const codec = await createCodec();
    await transport.ensureTopics(Object.values(config.topics));
    const ctx = { config, transport, codec, logger, metrics: createMetricsRegistry('bench'), now: Date.now };

    // Bar end (event time) -> wall time its last tick was produced, per symbol.
    const lastTickAt = new Map<string, number>();
    const latencies: { at: number; ms: number }[] = [];
    let scored = 0;
    let onScored: (() => void) | null = null;
    const ingest = await startIngestServices(ctx);
    const scorer = await startScorer(ctx, {
      registry: new ModelRegistry(join(state, 'registry')),
      models: models.loaded,
      onEmission: (em) => {
        const now = performance.now();
        for (const s of em.scores) {
          scored++;
          const k = `${s.symbol}|${s.barTime}`;
          const t = lastTickAt.get(k);
          if (t !== undefined) {
            latencies.push({ at: now, ms: now - t });
            lastTickAt.delete(k);
          }
        }
        onScored?.();
      },
    });
    const sink = transport.sink();
    const topic = config.topics.ticks.name;
    let seq = 0;
    const tick = (symbol: string, eventTime: number, i: number): OutboundRecord => {
      const px = 100 + Math.sin(seq / 97 + i);
      const t: MarketTick = {
        symbol,
        venue: 'XNAS',
        eventTime,
        sequence: seq++,
        bid: px - 0.01,
        ask: px + 0.01,
        last: px,
        bidSize: 100,
        askSize: 100,
        lastSize: 10,
        volume: seq,
      };
      return { topic, key: symbol, value: codec.encode('MarketTick', t), timestamp: eventTime };
    };
    const waitScored = (n: number, timeoutMs: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          onScored = null;
          resolve(false);
        }, timeoutMs);
        onScored = () => {
          if (scored >= n) {
            clearTimeout(timer);
            onScored = null;
            resolve(true);
          }
        };
        onScored();
      });

    // Produce only once every consumer has joined its group: a consumer that joins later starts
    // from the latest offset on the mock cluster and would skip the first bars.
    const readyBy = Date.now() + 60_000;
    while (!(ingest.ticks.ready() && scorer.ready()) && Date.now() < readyBy) {
      await new Promise((r) => setTimeout(r, 100));
    }
    progress(`endToEnd.${mode}`, 'pipeline ready', { ready: ingest.ticks.ready() && scorer.ready() });

    // Phase 1: throughput.
    const warmStart = Math.floor(Date.now() / SEC) * SEC - (WARM_BARS + 2) * SEC;
    const started = performance.now();
    let warmTicks = 0;
    for (let b = 0; b < WARM_BARS; b++) {
      const t0 = warmStart + b * SEC;
      // In event-time order on every partition (maxOutOfOrdernessMs is 0): first every symbol's
      // inner tick, times rising with the symbol index, then every bar's last tick. Interleaving
      // the two per symbol made every later inner tick of a partition late: half the warm-up
      // ticks went to the DLQ (one round trip each on kafka) instead of into bars.
      const batch: OutboundRecord[] = symbols.map((s, i) =>
        tick(s, t0 + 100 + Math.floor((i * 800) / SYMBOLS), i),
      );
      symbols.forEach((s, i) => {
        batch.push(tick(s, t0 + 999, i));
      });
      for (let i = 0; i < batch.length; i += 2_000) await sink.send(batch.slice(i, i + 2_000));
      if (b < WARM_BARS - 1) warmTicks += batch.length;
    }
    progress(`endToEnd.${mode}`, 'warm-up ticks produced', {
      ticks: warmTicks,
      seconds: round((performance.now() - started) / 1000),
    });
    // Bars 0..WARM_BARS-2 are closed; those from SEQ_LEN-1 on have a full window.
    const expected = (WARM_BARS - SEQ_LEN) * SYMBOLS;
    // Where the records are while we wait: a stalled hop shows as a topic that stops growing.
    const watched = [config.topics.ticks, config.topics.featuresMarket, config.topics.scores];
    const where = setInterval(() => {
      void Promise.all(watched.map((t) => transport.offsets(t.name)))
        .then((all) => {
          const high = Object.fromEntries(
            all.map((parts, i) => [watched[i]?.name, parts.reduce((n, p) => n + p.high - p.low, 0)]),
          );
          progress(`endToEnd.${mode}`, 'waiting for scores', { scored, expected, records: high });
        })
        .catch(() => {});
    }, 5 * SEC);
    const complete = await waitScored(expected, Number(process.env.BENCH_E2E_WARM_TIMEOUT_MS ?? 150_000));
    clearInterval(where);
    const warmSeconds = (performance.now() - started) / 1000;
    const ticksPerSec = warmTicks / warmSeconds;
    progress(`endToEnd.${mode}`, 'throughput phase', {
      warmTicks,
      scored,
      expected,
      complete,
      seconds: round(warmSeconds),
      ticksPerSec: Math.round(ticksPerSec),
      memory: memory(),
    });

    // Phase 2: fixed offered load, paced by the wall clock. Event times carry on from phase 1's
    // bars (a jump to wall-clock time would make ingest fill up to 60 gap bars per symbol at once).
    const wallStart = Math.ceil(Date.now() / SEC) * SEC;
    const offset = wallStart - (warmStart + WARM_BARS * SEC);
    let second = wallStart;
    const liveEnd = second + LIVE_SECONDS * SEC;
    const settleUntil = performance.now() + (second - Date.now()) + SETTLE_SECONDS * SEC;
    let behind = 0;
    let pendingLast: OutboundRecord[] = [];
    while (second < liveEnd) {
      for (let slice = 0; slice < SLICES; slice++) {
        const due = second + (slice * SEC) / SLICES;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else behind++;
        const out: OutboundRecord[] = [];
        if (slice === 0 && pendingLast.length > 0) {
          const sentAt = performance.now();
          for (const r of pendingLast) lastTickAt.set(`${r.key as string}|${second - offset}`, sentAt);
          out.push(...pendingLast);
          pendingLast = [];
        }
        for (let i = slice; i < SYMBOLS; i += SLICES) out.push(tick(symbols[i] as string, due - offset, i));
        await sink.send(out);
      }
      pendingLast = symbols.map((s, i) => tick(s, second - offset + SEC - 1, i));
      second += SEC;
    }
    // Close the last live bar.
    await sink.send(pendingLast);
    await sink.send(symbols.slice(0, 60).map((s, i) => tick(s, second - offset, i)));
    // Let the backlog drain so slow bars count instead of silently dropping out of the figure.
    const drainUntil = Date.now() + DRAIN_MS;
    while (lastTickAt.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
    const unscored = lastTickAt.size;
    // Bars still unscored count with their age at give-up time, so p99 is a lower bound then
    // instead of silently covering only the bars that made it.
    const gaveUpAt = performance.now();
    for (const t of lastTickAt.values()) latencies.push({ at: gaveUpAt, ms: gaveUpAt - t });
    const live = latencies.filter((l) => l.at >= settleUntil).map((l) => l.ms);
    const windows: number[][] = [];
    for (const l of latencies.filter((x) => x.at >= settleUntil)) {
      const w = Math.floor((l.at - settleUntil) / (5 * SEC));
      const bucket = windows[w] ?? [];
      bucket.push(l.ms);
      windows[w] = bucket;
    }
    progress(`endToEnd.${mode}`, 'latency phase', {
      bars: live.length,
      p50: round(percentile(live, 50)),
      p99: round(percentile(live, 99)),
      slicesBehind: behind,
      unscored,
      memory: memory(),
    });
    await scorer.stop();
    await ingest.stop();
    await sink.close();
    await transport.close();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const f = figure({
      // Not every expected score arrived: no sustained figure to report (the note says how far it got).
      ticksPerSec: complete ? [ticksPerSec] : [],
      p50Ms: windows.map((w) => percentile(w, 50)),
      p99Ms: windows.map((w) => percentile(w, 99)),
      rssMb: [peakRss / 2 ** 20],
    });
    // The headline latencies are over all live bars pooled; the spread is over 5 s windows.
    return {
      figure: {
        ...f,
        p50Ms: live.length ? round(percentile(live, 50)) : null,
        p99Ms: live.length ? round(percentile(live, 99)) : null,
        scoredBars: live.length,
        riskRuntime: models.riskRuntime,
      },
      notes: [
        `${mode}${broker ? ` (${broker.description})` : ''}: ${SYMBOLS} symbols; throughput over ${WARM_BARS} bars x 2 ticks (${warmTicks} ticks, ${complete ? 'all scored' : `only ${scored}/${expected} scored in time`}); latency over ${LIVE_SECONDS - SETTLE_SECONDS} s at ${SYMBOLS} bars/s (${2 * SYMBOLS} ticks/s), ${behind} producer slices late, ${unscored} live bars unscored ${DRAIN_MS / 1000} s after the last tick (counted at their age then: p50/p99 are lower bounds when this is not 0)`,
        `risk model served by ${models.riskRuntime}; anomaly model left out (neutral verdicts); alerts and explanations off (random weights); InfluxDB off`,
        'ticksPerSec and rssMb come from one run per process; p50Ms/p99Ms are pooled over the live bars, their spread over 5 s windows',
        ...(mode === 'embedded'
          ? [
              `embedded.retainRecords ${EMBEDDED_RETAIN} per partition (BENCH_E2E_EMBEDDED_RETAIN; 0 keeps everything)`,
            ]
          : []),
        ...(broker
          ? [
              `kafka.fetchMaxWaitMs ${FETCH_WAIT_MS} (BENCH_E2E_FETCH_WAIT_MS); ${KAFKA_PARTITIONS} partitions per symbol-keyed topic (BENCH_E2E_KAFKA_PARTITIONS: the mock keeps ~5 MB per partition)`,
            ]
          : []),
      ],
    };
  } finally {
    clearInterval(rssTimer);
    if (broker) await broker.stop();
    rmSync(state, { recursive: true, force: true });
  }
});
