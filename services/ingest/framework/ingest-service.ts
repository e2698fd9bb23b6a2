import { filter, merge, Subject, type Subscription, tap } from 'rxjs';
import { DeadLetterWriter } from '../../shared/bus/dead-letter.js';
import type { InboundRecord } from '../../shared/bus/transport.js';
import type { RunningService, ServiceContext } from '../../shared/runtime/service.js';
import type { DeliveryTarget } from './deliver-work.js';
import type { FeedDefinition, InputRecordName } from './feed-definition.js';
import { type ControlEvent, partitionKeyOf, type Work } from './ingest-event.js';
import { IngestMetrics } from './ingest-metrics.js';
import { ingestPipeline } from './ingest-pipeline.js';

export interface IngestService extends RunningService {
  /**
   * For finite inputs (replays, tests): waits until the service holds an assignment and every
   * record now on the input topic's assigned partitions has been received, then closes all open
   * windows and resolves once their outputs are stored and the inputs acked. The service keeps
   * running afterwards. A member assigned nothing (more members than partitions) never drains.
   */
  drain(): Promise<void>;
}

const POLL_MS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one feed's ingest pipeline on a transport: joins the consumer group
 * `${groupIdPrefix}.${service}`, decodes, validates, de-duplicates, orders by event time,
 * transforms, produces and acks. Outputs and dead letters go through the same sink; an input's
 * offset is committed only after everything derived from it is stored.
 */
export async function startIngestService<N extends InputRecordName>(
  ctx: ServiceContext,
  feed: FeedDefinition<N>,
): Promise<IngestService> {
  const { config, transport, codec, now } = ctx;
  const log = ctx.logger.child({ service: feed.service });
  const service = feed.service;
  const dlq = { name: config.topics.dlq.name, partitions: config.topics.dlq.partitions };
  await transport.ensureTopics([feed.input, ...feed.outputs, dlq]);

  const metrics = new IngestMetrics(ctx.metrics, service);
  const sink = transport.sink();
  const deadLetters = new DeadLetterWriter({
    codec,
    sink,
    topic: dlq.name,
    service,
    now,
    registry: ctx.metrics,
  });
  const source = transport.source({
    groupId: `${config.kafka.groupIdPrefix}.${service}`,
    topics: [feed.input.name],
    fromBeginning: true,
    maxInFlight: config.kafka.maxInFlight,
  });

  const control$ = new Subject<ControlEvent>();
  const assigned = new Set<string>();
  /** Next offset after the highest one received, per "topic:partition". */
  const received = new Map<string, number>();
  const receivedAt = new WeakMap<InboundRecord, number>();
  const watermarks = new Map<string, number>();
  const waiters = new Map<number, () => void>();
  let markerId = 0;
  let accepting = true;
  let running = false;
  let failure: unknown;

  metrics.watchWatermarks(function* () {
    const t = now();
    for (const [partition, w] of watermarks) yield { partition, lagSeconds: (t - w) / 1000 };
  });

  let settle!: { resolve: () => void; reject: (err: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A failure is reported through done; keep Node from flagging it before someone awaits it.
  done.catch(() => {});

  const rebalances = source.rebalances$.subscribe((e) => {
    const keys = e.assignments.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`));
    if (e.type === 'assigned') {
      for (const k of keys) assigned.add(k);
      log.info({ partitions: keys }, 'partitions assigned');
    } else {
      for (const k of keys) {
        assigned.delete(k);
        received.delete(k);
        watermarks.delete(k);
      }
      control$.next({ kind: 'revoke', partitions: new Set(keys) });
      log.info({ partitions: keys }, 'partitions revoked');
    }
  });

  const latency = (input: InboundRecord) => {
    const at = receivedAt.get(input);
    if (at !== undefined) metrics.latency.observe({ service }, Math.max(0, now() - at) / 1000);
  };

  const account = (w: Work) => {
    switch (w.kind) {
      case 'produce': {
        const byTopic = new Map<string, number>();
        for (const r of w.records) byTopic.set(r.topic, (byTopic.get(r.topic) ?? 0) + 1);
        for (const [topic, n] of byTopic) metrics.recordsOut.inc({ service, topic }, n);
        for (const i of w.inputs) latency(i);
        return;
      }
      case 'dead-letter':
        metrics.deadLetters.inc({ service, reason: w.reason });
        metrics.recordsOut.inc({ service, topic: dlq.name });
        if (w.reason === 'late') metrics.late.inc({ service });
        log.debug(
          { topic: w.input.topic, partition: w.input.partition, offset: w.input.offset, reason: w.reason },
          w.message,
        );
        latency(w.input);
        return;
      case 'skip':
        metrics.duplicates.inc({ service });
        latency(w.input);
        return;
      case 'flush':
      case 'barrier':
        waiters.get(w.id)?.();
        waiters.delete(w.id);
        return;
    }
  };

  let pendingIn = 0;
  const countIn = () => {
    metrics.recordsIn.inc({ service, topic: feed.input.name }, pendingIn);
    pendingIn = 0;
  };
  const records$ = source.records$.pipe(
    tap({
      next: (r) => {
        const key = partitionKeyOf(r);
        if (r.offset + 1 > (received.get(key) ?? 0)) received.set(key, r.offset + 1);
      },
      // A finite source ended: let the pipeline end too (it flushes on completion).
      complete: () => control$.complete(),
    }),
    // After stop() begins, records are no longer taken in: they stay un-acked and come again.
    filter(() => accepting),
    tap((r) => {
      receivedAt.set(r, now());
      // A fetched batch arrives synchronously: count it once (prom-client hashes labels per inc).
      if (pendingIn++ === 0) queueMicrotask(countIn);
    }),
  );

  const target: DeliveryTarget = {
    send: (records) => sink.send(records),
    deadLetter: (input, reason, message) => deadLetters.write(input, reason, message),
  };

  running = true;
  const pipeline: Subscription = merge(records$, control$)
    .pipe(
      ingestPipeline(feed, {
        codec,
        maxOutOfOrdernessMs: config.ingest.maxOutOfOrdernessMs,
        allowedLatenessMs: config.ingest.allowedLatenessMs,
        idleFlushMs: config.ingest.idleFlushMs,
        now,
        target,
        maxBatchRecords: config.kafka.producerBatchSize,
        onWatermark: (e) => watermarks.set(e.partition, e.watermark),
      }),
    )
    .subscribe({
      next: account,
      error: (err: unknown) => {
        failure = err;
        running = false;
        log.error({ err }, 'ingest pipeline failed; un-acked records will be redelivered');
        for (const resolve of waiters.values()) resolve();
        settle.reject(err);
      },
      complete: () => {
        running = false;
        log.info('input ended; open windows flushed');
        settle.resolve();
      },
    });

  const marker = (kind: 'flush' | 'barrier'): Promise<void> => {
    if (!running) return failure ? Promise.reject(failure) : Promise.resolve();
    const id = ++markerId;
    const reached = new Promise<void>((resolve) => waiters.set(id, resolve));
    control$.next({ kind, id });
    return reached.then(() => {
      if (failure) throw failure;
    });
  };

  const caughtUp = async (): Promise<boolean> => {
    // Before the group join completes (seconds on Kafka) or during a rebalance nothing is
    // assigned, and "every assigned partition is read" would hold vacuously.
    if (assigned.size === 0) return false;
    const committed = source.committed();
    for (const o of await transport.offsets(feed.input.name)) {
      const key = `${feed.input.name}:${o.partition}`;
      if (!assigned.has(key)) continue;
      const position = Math.max(received.get(key) ?? 0, committed.get(key) ?? 0, o.low);
      if (position < o.high) return false;
    }
    return true;
  };

  let stopping: Promise<void> | undefined;
  log.info({ input: feed.input.name, outputs: feed.outputs.map((o) => o.name) }, 'ingest service started');

  return {
    name: service,
    done,
    ready: () => running && accepting,
    drain: async () => {
      while (running && !(await caughtUp())) await sleep(POLL_MS);
      await marker('flush');
    },
    stop: () => {
      stopping ??= (async () => {
        accepting = false;
        // Everything taken in so far reaches the sink and is acked (open bars stay open: their
        // ticks are not acked and are read again after a restart).
        await marker('barrier').catch(() => {});
        await source.close();
        pipeline.unsubscribe();
        rebalances.unsubscribe();
        control$.complete();
        await sink.close();
        running = false;
        watermarks.clear();
        settle.resolve();
        log.info('ingest service stopped');
      })();
      return stopping;
    },
  };
}
