import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { Source, SourceOptions, Transport } from '../../services/shared/bus/transport.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import { createCodec } from '../../services/shared/codec/create-codec.js';
import { loadConfig } from '../../services/shared/config/load-config.js';
import type { SequenceBatch, SequenceMeta } from '../../services/shared/contracts/sequence-batch.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import type { ServiceContext } from '../../services/shared/runtime/service.js';
import {
  createWindowingPipeline,
  type WindowingPipeline,
} from '../../services/windowing/windowing-pipeline.js';
import {
  DAY,
  expectedSequences,
  featureData,
  fixedScaler,
  joinedReference,
  mergeData,
  produceFeatures,
  rowDifferences,
  START,
  until,
} from './windowing-feature-data.js';

export interface RebalanceScenarioOptions {
  /** Prefix for topic names and the consumer group, so runs on a shared broker do not meet. */
  namespace?: string;
  /** Config overrides (e.g. kafka brokers) merged under the scenario's own. */
  config?: Record<string, unknown>;
  codec?: Codec;
  timeoutMs?: number;
  seqLen?: number;
  /**
   * Partitions of the market and sentiment topics (co-partitioned), default 6. With a count the
   * instances do not divide (e.g. 5 for 2), an assignor that deals the partitions of all topics
   * round-robin would give a symbol's bars and its sentiment to different instances.
   */
  partitions?: number;
}

export interface RebalanceScenarioReport {
  /** Sequences a single instance produces over the whole data set. */
  expected: number;
  /** Distinct sequences seen across both instances. */
  seen: number;
  /** Sequences emitted more than once (redelivered after the rebalance: allowed, at-least-once). */
  duplicates: number;
  /** Expected sequences nobody emitted. */
  missing: string[];
  /** Rows whose values differ from the single-instance reference. */
  differences: string[];
  /** Windows held at the end that differ from the last L bars of their symbol. */
  windowDifferences: string[];
  /** Symbols whose window is held by no instance, or by both. */
  ownershipProblems: string[];
  /** Sequences emitted by the first instance before the rebalance but never acked by it. */
  inFlightAtRebalance: number;
  instances: {
    name: string;
    sequences: number;
    symbols: string[];
    rebuilds: number;
    joinIncomplete: number;
  }[];
}

interface Instance {
  name: string;
  pipeline: WindowingPipeline;
  /** The instance's consumer-group source (market and sentiment). */
  group: Source | undefined;
  /** Revocations its group source reported. */
  revocations: number;
  subscription: Subscription;
  rows: { batch: SequenceBatch; row: number }[];
  /** Rows not acked yet, when acking is held back. */
  held: SequenceMeta[];
  holdAcks: (meta: SequenceMeta) => boolean;
}

/** The transport, noting every non-global source the pipeline opens on it. */
function watchingGroupSources(inner: Transport, onSource: (source: Source) => void): Transport {
  return {
    kind: inner.kind,
    ensureTopics: (specs) => inner.ensureTopics(specs),
    source: (options: SourceOptions) => {
      const source = inner.source(options);
      if (!options.global) onSource(source);
      return source;
    },
    sink: () => inner.sink(),
    offsets: (topic) => inner.offsets(topic),
    read: (topic, partition, from, to) => inner.read(topic, partition, from, to),
    close: () => inner.close(),
  };
}

/**
 * Where the first instance's commits must get to before the second joins: each market partition
 * up to its first bar whose row is held back (the contiguous acked prefix), each sentiment
 * partition to its end (folded into state, acked at once).
 */
async function commitsBeforeRebalance(
  transport: Transport,
  codec: Codec,
  topics: { market: string; sentiment: string },
  heldFrom: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const o of await transport.offsets(topics.market)) {
    if (o.high <= o.low) continue;
    const records = await transport.read(topics.market, o.partition, o.low, o.high);
    const firstHeld = records.find((r) => codec.decode('MarketBar', r.value as Buffer).barEnd >= heldFrom);
    out.set(`${topics.market}:${o.partition}`, firstHeld?.offset ?? o.high);
  }
  for (const o of await transport.offsets(topics.sentiment))
    if (o.high > o.low) out.set(`${topics.sentiment}:${o.partition}`, o.high);
  return out;
}

/**
 * Two windowing instances in one consumer group; the second joins mid-stream, while the first
 * still has sequences in flight (emitted, not acked). Checks that after the rebalance every
 * symbol's window on its new owner equals what a single instance would hold (rebuilt from the
 * topic), that no bar's sequence is lost and that every emitted row equals the single-instance
 * reference. `transportFactory` is called once for the producer and once per instance: return
 * the same EmbeddedBus each time, or a new KafkaTransport each time.
 */
export async function runRebalanceScenario(
  transportFactory: () => Transport | Promise<Transport>,
  options: RebalanceScenarioOptions = {},
): Promise<RebalanceScenarioReport> {
  const ns = options.namespace ?? '';
  const seqLen = options.seqLen ?? 6;
  const partitions = options.partitions ?? 6;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const codec = options.codec ?? (await createCodec());
  const config = loadConfig({
    env: {},
    overrides: {
      ...options.config,
      kafka: { ...(options.config?.kafka as object | undefined), groupIdPrefix: `${ns}rebalance` },
      topics: {
        featuresMarket: { name: `${ns}risk.features.market`, partitions },
        featuresSentiment: { name: `${ns}risk.features.sentiment`, partitions },
        featuresMacro: { name: `${ns}risk.features.macro`, partitions: 1 },
        dlq: { name: `${ns}risk.dlq`, partitions: 1 },
      },
      windowing: {
        seqLen,
        batchMaxSize: 8,
        batchMaxDelayMs: 5,
        joinIdleMs: 10_000,
        joinMaxWaitMs: 60_000,
        stateDir: mkdtempSync(join(tmpdir(), 'windowing-rebalance-')),
      },
    },
  });
  const topics = {
    market: config.topics.featuresMarket.name,
    sentiment: config.topics.featuresSentiment.name,
    macro: config.topics.featuresMacro.name,
  };
  const producer = await transportFactory();
  await producer.ensureTopics([
    { name: topics.market, partitions },
    { name: topics.sentiment, partitions },
    { name: topics.macro, partitions: 1, compacted: true },
    { name: config.topics.dlq.name, partitions: 1 },
  ]);

  const part1 = featureData(0, 16);
  const part2 = featureData(16, 30);
  const all = mergeData(part1, part2);
  const reference = joinedReference(all);
  const expected = expectedSequences(reference, seqLen);
  const expectedPart1 = expectedSequences(joinedReference(part1), seqLen);
  const scaler = fixedScaler();
  // The first instance does not ack the last two days of part 1 before the rebalance.
  const inFlightFrom = START + 15 * DAY;

  const start = async (name: string, holdAcks: (m: SequenceMeta) => boolean): Promise<Instance> => {
    const groups: Source[] = [];
    let revocations = 0;
    const ctx: ServiceContext = {
      config,
      transport: watchingGroupSources(await transportFactory(), (s) => {
        groups.push(s);
        s.rebalances$.subscribe((e) => {
          if (e.type === 'revoked') revocations++;
        });
      }),
      codec,
      logger: createLogger(name, { level: 'silent' }),
      metrics: new Registry(),
      now: Date.now,
    };
    const pipeline = createWindowingPipeline(ctx, { scaler: { id: 'fixed', params: scaler } });
    const instance: Instance = {
      name,
      pipeline,
      get group() {
        return groups[0];
      },
      get revocations() {
        return revocations;
      },
      rows: [],
      held: [],
      holdAcks,
      subscription: undefined as never,
    };
    instance.subscription = pipeline.batches$.subscribe((batch) => {
      batch.meta.forEach((meta, row) => {
        instance.rows.push({ batch, row });
        if (instance.holdAcks(meta)) instance.held.push(meta);
        else meta.ack();
      });
    });
    return instance;
  };
  const keys = (i: Instance) =>
    i.rows.map(({ batch, row }) => `${batch.meta[row]?.symbol}|${batch.meta[row]?.barTime}`);

  await produceFeatures(producer, codec, topics, part1);
  const a = await start('first', (m) => m.barTime >= inFlightFrom);
  const b = { current: undefined as Instance | undefined };
  try {
    await until(
      () => new Set(keys(a)).size === expectedPart1.size,
      timeoutMs,
      'the first instance to emit part 1',
    );
    const inFlightAtRebalance = a.held.length;
    const rowsBefore = a.rows.length;
    // Everything the first instance acked is committed before the second joins, so the new owners
    // resume mid-partition and must rebuild their windows from the bars before the committed offset
    // (the mock cluster refuses commits once a rebalance begins: sent late, they would be lost and
    // the new owners would read every partition from the start, rebuilding nothing).
    const wantCommitted = await commitsBeforeRebalance(producer, codec, topics, inFlightFrom);
    const committedNow = () => a.group?.committed() ?? new Map<string, number>();
    try {
      await until(
        () => [...wantCommitted].every(([k, v]) => (committedNow().get(k) ?? 0) >= v),
        timeoutMs,
        "the first instance's commits of everything it acked",
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; want ${JSON.stringify([...wantCommitted])}, committed ${JSON.stringify([...committedNow()])}`,
      );
    }

    const revokedBefore = a.revocations;
    b.current = await start('second', () => false);
    await until(() => b.current?.pipeline.ready() === true, timeoutMs, 'the second instance to bootstrap');
    // The first instance's held rows are acked only once its partitions were revoked (at once on
    // the embedded bus, after the group's rebalance on Kafka): these acks move nothing any more, so
    // their records are delivered again to whichever instance owns them now.
    await until(() => a.revocations > revokedBefore, timeoutMs, 'the first instance to lose its partitions');
    a.holdAcks = () => false;
    for (const m of a.held.splice(0)) m.ack();

    await produceFeatures(producer, codec, topics, part2);
    const seenAll = () => new Set([...keys(a), ...keys(b.current as Instance)]);
    try {
      await until(() => seenAll().size === expected.size, timeoutMs, 'every sequence after the rebalance');
    } catch (err) {
      const got = seenAll();
      const missing = [...expected.keys()].filter((k) => !got.has(k));
      const stats = (i: Instance | undefined) => JSON.stringify(i?.pipeline.stats());
      throw new Error(
        `${(err as Error).message}; missing ${missing.length}: ${missing.slice(0, 10).join(', ')}; first ${stats(a)}; second ${stats(b.current)}`,
      );
    }
    await until(
      () =>
        a.pipeline.stats().symbols + (b.current?.pipeline.stats().symbols ?? 0) === reference.size &&
        a.pipeline.stats().joinPending + (b.current?.pipeline.stats().joinPending ?? 0) === 0,
      timeoutMs,
      'every window to have its final bar',
    );

    const instances = [a, b.current];
    const emitted = [...keys(a), ...keys(b.current)];
    const seen = new Set(emitted);
    const differences: string[] = [];
    for (const inst of instances)
      for (const { batch, row } of inst.rows) {
        const meta = batch.meta[row] as SequenceMeta;
        const want = expected.get(`${meta.symbol}|${meta.barTime}`);
        if (!want) differences.push(`${inst.name}: unexpected sequence ${meta.symbol}|${meta.barTime}`);
        else differences.push(...rowDifferences(batch, row, want, scaler).map((d) => `${inst.name}: ${d}`));
      }

    const windowDifferences: string[] = [];
    const owners = new Map<string, string[]>();
    for (const inst of instances)
      for (const w of inst.pipeline.windows()) {
        owners.set(w.symbol, [...(owners.get(w.symbol) ?? []), inst.name]);
        const want = (reference.get(w.symbol) ?? []).slice(-seqLen);
        const got = w.bars.map((j) => `${j.bar.barEnd}:${j.macro.join(',')}:${j.sentiment.join(',')}`);
        const exp = want.map((j) => `${j.bar.barEnd}:${j.macro.join(',')}:${j.sentiment.join(',')}`);
        if (got.join('|') !== exp.join('|'))
          windowDifferences.push(`${inst.name} ${w.symbol}: window differs from the last ${seqLen} bars`);
      }
    const ownershipProblems = [...reference.keys()]
      .filter((s) => (owners.get(s) ?? []).length !== 1)
      .map((s) => `${s}: held by [${(owners.get(s) ?? []).join(', ')}]`);

    return {
      expected: expected.size,
      seen: seen.size,
      duplicates: emitted.length - seen.size,
      missing: [...expected.keys()].filter((k) => !seen.has(k)),
      differences,
      windowDifferences,
      ownershipProblems,
      inFlightAtRebalance,
      instances: instances.map((i, n) => ({
        name: i.name,
        sequences: n === 0 ? i.rows.length - rowsBefore : i.rows.length,
        symbols: i.pipeline
          .windows()
          .map((w) => w.symbol)
          .sort(),
        rebuilds: i.pipeline.stats().rebuilds,
        joinIncomplete: i.pipeline.stats().joinIncomplete,
      })),
    };
  } finally {
    a.subscription.unsubscribe();
    b.current?.subscription.unsubscribe();
  }
}
