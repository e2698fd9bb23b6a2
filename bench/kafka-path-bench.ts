/**
 * The Kafka path of the pipeline piece by piece against the local broker, to find where the
 * end-to-end kafka figure loses its time. Each piece moves N Avro MarketTicks (keyed by SYMBOLS
 * symbols) and reports records/s:
 *  - producer: raw kafkajs sendBatch, per batch size x acks x batches in flight;
 *  - sink: the project's KafkaSink (SendAccumulator) with send() calls shaped like the pipeline's;
 *  - source: the project's KafkaSource over a filled topic, every record acked at once;
 *  - relay: source -> one output record per input through the sink -> ack after the send
 *    resolved (the shape of every hop of the pipeline; sends one at a time, like deliverWork);
 *  - ingest: the ticks consumer (services/ingest/ticks) alone over a filled market.ticks topic,
 *    2 ticks per symbol and 1 s bar in event-time order: ticks/s from its first record consumed
 *    until drain() resolved (every bar produced, every tick acked): the issue's ingest target;
 *  - ingest-late: the same with each symbol's two ticks interleaved, so about half the ticks are
 *    late and dead-lettered (a burst of rejects; not in the default set).
 * Not part of `make bench`: an investigation tool. Run:
 *   npx tsx bench/kafka-path-bench.ts [producer|sink|source|relay ...]   (default: all)
 * Env: BENCH_PATH_RECORDS (100000), BENCH_PATH_PARTITIONS (32), BENCH_PATH_SYMBOLS (5000),
 *      BENCH_PATH_FETCH_WAIT_MS (50), RISK_KAFKA_BROKERS to use a running broker,
 *      BENCH_PATH_PROFILE=<dir> writes a .cpuprofile of each timed section (node:inspector).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { Kafka, logLevel, type Message, Partitioners } from 'kafkajs';
import { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { startTicksConsumer } from '../services/ingest/ticks/main.js';
import type { OutboundRecord } from '../services/shared/bus/transport.js';
import { createCodec } from '../services/shared/codec/create-codec.js';
import { kafkaConfig } from '../services/shared/config/kafka-config.js';
import { loadConfig } from '../services/shared/config/load-config.js';
import { createKafkaTransport } from '../services/shared/kafka/kafka-transport.js';
import { createLogger } from '../services/shared/logging/logger.js';
import { createMetricsRegistry } from '../services/shared/metrics/metrics-registry.js';
import { sampleRecords } from '../test/fixtures/sample-records.js';
import { startBroker } from './local-broker.js';

const N = Number(process.env.BENCH_PATH_RECORDS ?? 100_000);
const PARTITIONS = Number(process.env.BENCH_PATH_PARTITIONS ?? 32);
const SYMBOLS = Number(process.env.BENCH_PATH_SYMBOLS ?? 5_000);
const FETCH_WAIT_MS = Number(process.env.BENCH_PATH_FETCH_WAIT_MS ?? 50);
const pieces = new Set(
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ['producer', 'sink', 'source', 'relay', 'ingest'],
);

let topicSeq = 0;
const topicNames = Array.from({ length: 24 }, () => `bench.path.${process.pid}.${topicSeq++}`);
let nextTopic = 0;
const freshTopic = () => {
  const t = topicNames[nextTopic++];
  if (!t) throw new Error('bench ran out of pre-created topics');
  return t;
};

// The ingest piece's service also needs the DLQ topic (the mock cannot create topics on demand).
const dlqTopic = loadConfig({ env: {} }).topics.dlq;
const broker = await startBroker(
  [...topicNames.map((name) => ({ name, partitions: PARTITIONS })), dlqTopic],
  [],
);
const codec = await createCodec();
const values = Array.from({ length: N }, (_, i) => {
  const symbol = `S${String(i % SYMBOLS).padStart(4, '0')}`;
  return {
    key: symbol,
    value: codec.encode('MarketTick', { ...sampleRecords.MarketTick, symbol, sequence: i }),
  };
});
const results: Record<string, number> = {};
const PROFILE_DIR = process.env.BENCH_PATH_PROFILE;
const inspector = PROFILE_DIR ? new Session() : undefined;
inspector?.connect();
const post = (method: string) =>
  new Promise<unknown>((resolve, reject) =>
    inspector?.post(method, (err, result) => (err ? reject(err) : resolve(result))),
  );
/** Starts the CPU profiler for a timed section (when BENCH_PATH_PROFILE is set). */
let profiling = false;
const profileStart = async () => {
  if (!inspector) return;
  await post('Profiler.enable');
  await post('Profiler.start');
  profiling = true;
};
const profileStop = async (name: string) => {
  if (!inspector || !PROFILE_DIR || !profiling) return;
  profiling = false;
  const { profile } = (await post('Profiler.stop')) as { profile: unknown };
  mkdirSync(PROFILE_DIR, { recursive: true });
  writeFileSync(
    join(PROFILE_DIR, `${name.replace(/[^a-z0-9]+/gi, '_')}.cpuprofile`),
    JSON.stringify(profile),
  );
};
const report = async (name: string, records: number, ms: number, extra: Record<string, unknown> = {}) => {
  await profileStop(name);
  const perSec = Math.round(records / (ms / 1000));
  results[name] = perSec;
  process.stderr.write(`${JSON.stringify({ piece: name, records, ms: Math.round(ms), perSec, ...extra })}\n`);
};
const kafka = new Kafka({ clientId: 'bench-path', brokers: broker.brokers, logLevel: logLevel.NOTHING });
const baseConfig = (over: Record<string, unknown> = {}) =>
  kafkaConfig.parse({
    brokers: broker.brokers,
    groupIdPrefix: `bench-path-${process.pid}`,
    fetchMaxWaitMs: FETCH_WAIT_MS,
    ...over,
  });

async function rawProducer(batch: number, acks: number, inFlight: number, compression = 0): Promise<void> {
  const topic = freshTopic();
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  await profileStart();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const from = next;
      next = Math.min(N, next + batch);
      const messages: Message[] = values.slice(from, next).map((v) => ({ key: v.key, value: v.value }));
      await producer.sendBatch({ acks, compression, topicMessages: [{ topic, messages }] });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  await report(
    `producer b${batch} acks${acks} inflight${inFlight}${compression ? ` comp${compression}` : ''}`,
    N,
    performance.now() - t0,
  );
  await producer.disconnect();
}

async function fill(topic: string): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  for (let i = 0; i < N; i += 5_000) {
    await producer.sendBatch({
      acks: 1,
      topicMessages: [
        { topic, messages: values.slice(i, i + 5_000).map((v) => ({ key: v.key, value: v.value })) },
      ],
    });
  }
  await producer.disconnect();
}

/** KafkaSink with `callers` concurrent loops of send(`perCall` records), each awaiting its send. */
async function sink(perCall: number, callers: number, over: Record<string, unknown> = {}): Promise<void> {
  const topic = freshTopic();
  const transport = createKafkaTransport(baseConfig(over));
  const s = transport.sink();
  const records: OutboundRecord[] = values.map((v) => ({ topic, key: v.key, value: v.value }));
  await s.send(records.slice(0, 1)); // connect outside the timing
  await profileStart();
  const t0 = performance.now();
  let next = 1;
  const worker = async () => {
    while (next < N) {
      const from = next;
      next = Math.min(N, next + perCall);
      await s.send(records.slice(from, next));
    }
  };
  await Promise.all(Array.from({ length: callers }, worker));
  await report(`sink call${perCall} x${callers} ${JSON.stringify(over)}`, N - 1, performance.now() - t0);
  await transport.close();
}

/** KafkaSource over a filled topic; each record acked as it arrives. */
async function source(over: Record<string, unknown> = {}): Promise<void> {
  const topic = freshTopic();
  await fill(topic);
  const transport = createKafkaTransport(baseConfig(over));
  const src = transport.source({ groupId: `bench-path-src-${topic}`, topics: [topic] });
  let seen = 0;
  let t0 = 0;
  const done = new Promise<number>((resolve) => {
    const sub: Subscription = src.records$.subscribe((r) => {
      if (seen === 0) t0 = performance.now();
      r.ack();
      if (++seen === N) {
        resolve(performance.now() - t0);
        sub.unsubscribe();
      }
    });
  });
  const ms = await done;
  await report(`source ${JSON.stringify(over)}`, N, ms);
  await transport.close();
}

/**
 * source -> sink -> ack, one send in flight at a time holding whatever queued meanwhile (up to
 * maxBatch records), as deliverWork does; ticks/s from the first record consumed to the last ack.
 */
async function relay(over: Record<string, unknown> = {}, maxBatch = 1_000): Promise<void> {
  const input = freshTopic();
  const output = freshTopic();
  await fill(input);
  const transport = createKafkaTransport(baseConfig(over));
  const src = transport.source({ groupId: `bench-path-relay-${input}`, topics: [input] });
  const s = transport.sink();
  await s.send([{ topic: output, key: 'warm', value: null }]);
  const queue: { ack(): void; key: Buffer | null; value: Buffer | null }[] = [];
  let busy = false;
  let acked = 0;
  let t0 = 0;
  let finished!: (ms: number) => void;
  const done = new Promise<number>((r) => (finished = r));
  const pump = () => {
    if (busy || queue.length === 0) return;
    busy = true;
    const items = queue.splice(0, maxBatch);
    void s.send(items.map((i) => ({ topic: output, key: i.key, value: i.value }))).then(() => {
      for (const i of items) i.ack();
      acked += items.length;
      busy = false;
      if (acked === N) finished(performance.now() - t0);
      else pump();
    });
  };
  const sub = src.records$.subscribe((r) => {
    if (t0 === 0) t0 = performance.now();
    queue.push(r);
    pump();
  });
  const ms = await done;
  sub.unsubscribe();
  await report(`relay maxBatch${maxBatch} ${JSON.stringify(over)}`, N, ms);
  await transport.close();
}

/** The ticks consumer alone over N ticks already on its input topic. */
async function ingest(over: Record<string, unknown> = {}, interleaved = false): Promise<void> {
  const input = freshTopic();
  const features = freshTopic();
  const ticks = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await ticks.connect();
  const perSymbol = Math.max(2, Math.floor(N / SYMBOLS));
  const start = Math.floor(Date.now() / 1000) * 1000 - (perSymbol / 2 + 5) * 1000;
  let seq = 0;
  for (let b = 0; b < perSymbol / 2; b++) {
    const t0 = start + b * 1000;
    const messages: Message[] = [];
    const push = (i: number, eventTime: number) => {
      const symbol = `S${String(i).padStart(4, '0')}`;
      const tick = { ...sampleRecords.MarketTick, symbol, eventTime, sequence: seq++ };
      messages.push({ key: symbol, value: codec.encode('MarketTick', tick) });
    };
    if (interleaved) {
      // Each symbol's two ticks together (the old end-to-end warm-up): on a partition, every
      // inner tick after the first symbol's is behind the watermark, so about half are late.
      for (let i = 0; i < SYMBOLS; i++) {
        push(i, t0 + 100 + (i % 800));
        push(i, t0 + 999);
      }
    } else {
      for (let i = 0; i < SYMBOLS; i++) push(i, t0 + 100 + Math.floor((i * 800) / SYMBOLS));
      for (let i = 0; i < SYMBOLS; i++) push(i, t0 + 999);
    }
    for (let i = 0; i < messages.length; i += 5_000) {
      await ticks.sendBatch({
        acks: 1,
        topicMessages: [{ topic: input, messages: messages.slice(i, i + 5_000) }],
      });
    }
  }
  await ticks.disconnect();
  const registry = new Registry();
  const appConfig = loadConfig({
    env: {},
    overrides: {
      transport: 'kafka',
      topics: {
        ticks: { name: input, partitions: PARTITIONS },
        featuresMarket: { name: features, partitions: PARTITIONS },
      },
      kafka: { ...baseConfig(over) },
      ingest: { barIntervalMs: 1000, maxOutOfOrdernessMs: 0 },
      influx: { enabled: false },
      log: { level: 'warn' },
    },
  });
  const transport = createKafkaTransport(appConfig.kafka, undefined, registry);
  const logger = createLogger('bench', appConfig.log);
  const service = await startTicksConsumer({
    config: appConfig,
    transport,
    codec,
    logger,
    metrics: createMetricsRegistry('bench'),
    now: Date.now,
  });
  const consumed = async () =>
    ((await registry.getSingleMetric('risk_kafka_consumed_records_total')?.get())?.values ?? []).reduce(
      (n, v) => n + v.value,
      0,
    );
  while ((await consumed()) === 0) await new Promise((r) => setTimeout(r, 5));
  await profileStart();
  const t0 = performance.now();
  await service.drain();
  const ms = performance.now() - t0;
  const total = seq;
  const dlq = ((await registry.getSingleMetric('risk_kafka_produced_records_total')?.get())?.values ?? [])
    .filter((v) => v.labels.topic === dlqTopic.name)
    .reduce((n, v) => n + v.value, 0);
  await report(
    `ingest ticks${interleaved ? ' interleaved (~half late)' : ''} ${JSON.stringify(over)}`,
    total,
    ms,
    {
      consumed: await consumed(),
      deadLetters: dlq,
    },
  );
  await service.stop();
  await transport.close();
}

try {
  process.stderr.write(
    `${JSON.stringify({ broker: broker.description, records: N, partitions: PARTITIONS })}\n`,
  );
  if (pieces.has('producer')) {
    for (const [b, acks, f] of [
      [1_000, -1, 1],
      [1_000, 1, 1],
      [5_000, -1, 1],
      [5_000, 1, 1],
      [20_000, -1, 1],
      [1_000, -1, 4],
      [5_000, -1, 4],
    ] as const) {
      await rawProducer(b, acks, f);
    }
  }
  if (pieces.has('sink')) {
    await sink(2_000, 1);
    await sink(100, 8);
    await sink(2_000, 1, { producerBatchSize: 10_000 });
    await sink(100, 8, { producerBatchSize: 10_000 });
  }
  if (pieces.has('source')) {
    await source();
    await source({ fetchMaxWaitMs: 500 });
  }
  if (pieces.has('relay')) {
    await relay();
    await relay({ producerBatchSize: 10_000 }, 10_000);
  }
  if (pieces.has('ingest')) await ingest();
  if (pieces.has('ingest-late')) await ingest({}, true);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  await broker.stop();
}
