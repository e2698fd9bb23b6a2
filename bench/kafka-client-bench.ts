/**
 * Consume throughput of kafkajs vs @platformatic/kafka on the same topic of the same broker: the
 * topic is filled once with Avro MarketTicks, then each client in turn (alternating, fresh group
 * each time, from the earliest offset) reads all of it; msgs/s from the first message to the last.
 * Run: npx tsx bench/kafka-client-bench.ts   (RISK_KAFKA_BROKERS=host:port to use a running broker)
 */
import { Consumer as PlatformaticConsumer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { createCodec } from '../services/shared/codec/create-codec.js';
import { sampleRecords } from '../test/fixtures/sample-records.js';
import { figure } from './bench-stats.js';
import { benchRuns, figureMain, progress } from './figure-main.js';
import { startBroker } from './local-broker.js';

const N = Number(process.env.BENCH_KAFKA_MESSAGES ?? 200_000);
const PARTITIONS = 6;
const TOPIC = `bench.kafka-client.${process.pid}`;

async function fill(kafka: Kafka): Promise<void> {
  const codec = await createCodec();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const chunk = 5_000;
  for (let i = 0; i < N; i += chunk) {
    const messages = Array.from({ length: Math.min(chunk, N - i) }, (_, k) => {
      const symbol = `S${(i + k) % 5000}`;
      return {
        key: symbol,
        value: codec.encode('MarketTick', { ...sampleRecords.MarketTick, symbol, sequence: i + k }),
      };
    });
    await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();
}

async function kafkajsRun(kafka: Kafka, round: number): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-kafkajs-${process.pid}-${round}`,
    maxBytesPerPartition: 4 << 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let seen = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (seen === 0) first = performance.now();
        seen += batch.messages.length;
        if (seen >= N) resolve(N / ((performance.now() - first) / 1000));
      },
    });
  });
  const rate = await done;
  await consumer.disconnect();
  return rate;
}

async function platformaticRun(brokers: string[], round: number): Promise<number> {
  const consumer = new PlatformaticConsumer({
    groupId: `bench-platformatic-${process.pid}-${round}`,
    clientId: 'bench',
    bootstrapBrokers: brokers,
    maxBytes: 4 << 20,
  });
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest', autocommit: false });
  let seen = 0;
  let first = 0;
  const rate = await new Promise<number>((resolve, reject) => {
    stream.on('data', () => {
      if (seen === 0) first = performance.now();
      seen++;
      if (seen === N) resolve(N / ((performance.now() - first) / 1000));
    });
    stream.on('error', reject);
  });
  await stream.close();
  await consumer.close(true);
  return rate;
}

function describe(err: unknown): string {
  const e = err as Error & { errors?: unknown[] };
  const inner = (e.errors ?? []).map((x) => (x as Error).message).filter((m) => m && m !== e.message);
  return [e.message, ...new Set(inner)].join('; ');
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

await figureMain('kafkaClient', async () => {
  const broker = await startBroker([{ name: TOPIC, partitions: PARTITIONS }]);
  try {
    const kafka = new Kafka({ clientId: 'bench', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    await fill(kafka);
    progress('kafkaClient', `topic filled`, { messages: N, broker: broker.description });
    const kj: number[] = [];
    const pl: number[] = [];
    const notes: string[] = [];
    let platformaticError: string | null = null;
    for (let r = 0; r < benchRuns(3); r++) {
      kj.push(await kafkajsRun(kafka, r));
      if (platformaticError === null) {
        try {
          pl.push(await withTimeout(platformaticRun(broker.brokers, r), 60_000));
        } catch (err) {
          platformaticError = describe(err);
          notes.push(
            `@platformatic/kafka could not consume from ${broker.description}: ${platformaticError}`,
          );
        }
      }
      progress('kafkaClient', `round ${r + 1}`, {
        kafkajs: Math.round(kj[r] as number),
        platformatic: pl[r] ?? null,
      });
    }
    return {
      figure: figure({ kafkajsMsgPerSec: kj, platformaticMsgPerSec: pl }),
      notes: [
        ...notes,
        `${N} Avro MarketTicks on ${PARTITIONS} partitions, ${broker.description}; kafkajs eachBatch vs @platformatic/kafka stream, no decode, no commit`,
      ],
    };
  } finally {
    await broker.stop();
  }
});
