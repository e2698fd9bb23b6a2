import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { RebalanceEvent, Transport } from '../shared/bus/transport.js';
import type { PartitionChange, SourceEvent } from './windowing-events.js';
import { WindowingMetrics } from './windowing-metrics.js';

export interface RebuildOnAssignOptions {
  transport: Pick<Transport, 'offsets' | 'read'>;
  topics: { market: string; sentiment: string };
  /** Records read back per partition, at most. */
  maxRecords: number;
  /** Records per Transport.read call. */
  chunk?: number;
  metrics?: WindowingMetrics;
  /** Wall clock for the rebuild duration metric. */
  now?: () => number;
  onRebuilt?: (info: { topic: string; partition: number; from: number; to: number; records: number }) => void;
}

/** The market and sentiment partitions in a Source rebalance event. */
export function toPartitionChange(
  e: RebalanceEvent,
  topics: { market: string; sentiment: string },
): PartitionChange {
  const of = (topic: string) => e.assignments.filter((a) => a.topic === topic).flatMap((a) => a.partitions);
  return { kind: e.type, market: of(topics.market), sentiment: of(topics.sentiment) };
}

/**
 * State rebuild after an assignment, so a partition's new owner (or this instance after a
 * restart) continues exactly where the previous owner's committed offset left off:
 * - sentiment partitions: on `assigned`, the last maxRecords records up to the current high
 *   watermark are read back and replayed (states are looked up as of each bar's end, and replayed
 *   items that are redelivered later replace themselves by id, so reading past the committed
 *   offset is harmless);
 * - market partitions: when the first live record of the partition arrives (its offset C is where
 *   delivery resumes), the maxRecords records before C are replayed first, so the windows hold
 *   exactly the bars before C and every bar from C on yields its sequence again.
 * Replays are marked `replay`: folded into state downstream, never emitted. Everything behind a
 * rebuild waits for it, in order. Revoked partitions pass on so downstream drops their state.
 */
export function rebuildOnAssign(options: RebuildOnAssignOptions): MonoTypeOperatorFunction<SourceEvent> {
  const { transport, topics, maxRecords } = options;
  const chunk = options.chunk ?? 5_000;
  const metrics = options.metrics ?? new WindowingMetrics();
  const now = options.now ?? Date.now;

  return (source) =>
    new Observable<SourceEvent>((subscriber) => {
      const queue: (SourceEvent | undefined)[] = [];
      let head = 0;
      let busy = false;
      let closed = false;
      let upstreamDone = false;
      /** Market partitions assigned whose windows are not rebuilt yet. */
      const awaiting = new Set<number>();

      const replay = async (
        topic: string,
        partition: number,
        from: number,
        to: number,
        kind: 'bar' | 'sentiment',
      ) => {
        const started = now();
        let records = 0;
        for (let at = from; at < to && !closed; at += chunk) {
          const batch = await transport.read(topic, partition, at, Math.min(to, at + chunk));
          if (closed) return;
          for (const record of batch) {
            if (record.offset >= to) break;
            records++;
            subscriber.next({ kind: 'record', record, scope: 'group', replay: true });
          }
        }
        metrics.rebuilt(kind, records, (now() - started) / 1000);
        options.onRebuilt?.({ topic, partition, from, to, records });
      };

      const rebuildSentiment = async (partitions: number[]) => {
        const offsets = await transport.offsets(topics.sentiment);
        for (const p of partitions) {
          const o = offsets.find((x) => x.partition === p);
          if (!o || o.high <= o.low) continue;
          await replay(topics.sentiment, p, Math.max(o.low, o.high - maxRecords), o.high, 'sentiment');
        }
      };

      const rebuildMarket = async (partition: number, firstLive: number) => {
        const offsets = await transport.offsets(topics.market);
        const low = offsets.find((x) => x.partition === partition)?.low ?? 0;
        const from = Math.max(low, firstLive - maxRecords);
        if (from < firstLive) await replay(topics.market, partition, from, firstLive, 'bar');
      };

      /** Emits e, or returns the task that will (everything behind waits for it). */
      const handle = (e: SourceEvent): Promise<void> | undefined => {
        if (e.kind === 'assigned') {
          subscriber.next(e);
          for (const p of e.market) awaiting.add(p);
          return e.sentiment.length > 0 ? rebuildSentiment(e.sentiment) : undefined;
        }
        if (e.kind === 'revoked') {
          for (const p of e.market) awaiting.delete(p);
          subscriber.next(e);
          return undefined;
        }
        if (e.kind === 'record' && e.scope === 'group' && !e.replay && e.record.topic === topics.market) {
          const p = e.record.partition;
          if (awaiting.has(p)) {
            awaiting.delete(p);
            return rebuildMarket(p, e.record.offset).then(() => {
              if (!closed) subscriber.next(e);
            });
          }
        }
        subscriber.next(e);
        return undefined;
      };

      const drain = () => {
        while (!busy && !closed && head < queue.length) {
          const e = queue[head] as SourceEvent;
          queue[head] = undefined;
          head++;
          const task = handle(e);
          if (task) {
            busy = true;
            task.then(
              () => {
                busy = false;
                drain();
              },
              (err: unknown) => subscriber.error(err),
            );
          }
        }
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        if (upstreamDone && !busy && queue.length === 0) subscriber.complete();
      };

      const sub = source.subscribe({
        next: (e) => {
          queue.push(e);
          drain();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          upstreamDone = true;
          drain();
        },
      });
      return () => {
        closed = true;
        sub.unsubscribe();
      };
    });
}
