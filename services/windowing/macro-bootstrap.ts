import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { InboundRecord, PartitionOffsets } from '../shared/bus/transport.js';
import type { SourceEvent } from './windowing-events.js';

/**
 * Wraps the macro global reader's records and emits `macro-bootstrapped` once every partition has
 * been read up to the high watermark it had when reading started (immediately for an empty
 * topic), like a Kafka Streams global table restoring before processing. If that takes longer
 * than timeoutMs the marker is emitted anyway, flagged timedOut, so a stuck reader cannot stall
 * the stage forever.
 */
export function markMacroBootstrap(
  highs: readonly PartitionOffsets[],
  timeoutMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<InboundRecord, SourceEvent> {
  return (source) =>
    new Observable<SourceEvent>((subscriber) => {
      const remaining = new Map<number, number>();
      for (const h of highs) if (h.high > h.low) remaining.set(h.partition, h.high - 1);
      let done = false;
      const finish = (timedOut: boolean) => {
        if (done) return;
        done = true;
        timer?.unsubscribe();
        subscriber.next({ kind: 'macro-bootstrapped', timedOut });
      };
      const timer = remaining.size > 0 ? scheduler.schedule(() => finish(true), timeoutMs) : undefined;
      if (remaining.size === 0) finish(false);
      const sub = source.subscribe({
        next: (record) => {
          subscriber.next({ kind: 'record', record, scope: 'global', replay: false });
          if (done) return;
          const last = remaining.get(record.partition);
          if (last !== undefined && record.offset >= last) {
            remaining.delete(record.partition);
            if (remaining.size === 0) finish(false);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
