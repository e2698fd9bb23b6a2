import { asyncScheduler, interval, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { EventTimeBuffer } from './event-time-buffer.js';
import { type Accepted, type IngestEvent, partitionKeyOf } from './ingest-event.js';

export interface EventTimeOptions<T> {
  eventTimeOf: (value: T) => number;
  maxOutOfOrdernessMs: number;
  allowedLatenessMs: number;
  /** Wall clock (ms); used for the idle flush only. */
  now: () => number;
  /** 0 = off. Otherwise a partition silent this long gets its watermark from the wall clock. */
  idleFlushMs: number;
  scheduler?: SchedulerLike;
}

const formatTime = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/**
 * Event time and watermarks per input partition. Accepted records are held until the watermark
 * (highest event time seen minus maxOutOfOrderness) passes them, then leave in event-time order,
 * each batch followed by a `watermark` event. Records older than watermark - allowedLateness are
 * rejected as late. A flush (or the end of the input) releases everything.
 */
export function orderByEventTime<T>(
  options: EventTimeOptions<T>,
): OperatorFunction<IngestEvent<T>, IngestEvent<T>> {
  return (source) =>
    new Observable<IngestEvent<T>>((subscriber) => {
      const buffer = new EventTimeBuffer<Accepted<T>>(options);
      const emitReleased = (released: Accepted<T>[]) => {
        for (const r of released) subscriber.next(r);
      };
      const flush = () => {
        for (const { released } of buffer.flush()) emitReleased(released);
      };

      const idle =
        options.idleFlushMs > 0
          ? interval(
              Math.max(1, Math.floor(options.idleFlushMs / 2)),
              options.scheduler ?? asyncScheduler,
            ).subscribe(() => {
              const now = options.now();
              for (const partition of buffer.idleSince(now - options.idleFlushMs)) {
                const moved = buffer.advance(partition, now - options.maxOutOfOrdernessMs);
                if (!moved) continue;
                emitReleased(moved.released);
                subscriber.next({
                  kind: 'watermark',
                  partition,
                  watermark: moved.watermark,
                  finalized: moved.finalized,
                });
              }
            })
          : undefined;

      const sub = source.subscribe({
        next: (event) => {
          switch (event.kind) {
            case 'accepted': {
              const partition = partitionKeyOf(event.input);
              const time = options.eventTimeOf(event.value);
              const offer = buffer.offer(partition, time, event, options.now());
              if (offer.late) {
                subscriber.next({
                  kind: 'rejected',
                  input: event.input,
                  reason: 'late',
                  message: `event time ${formatTime(time)} is before ${formatTime(offer.finalized)}, the watermark of ${partition} minus the allowed lateness`,
                });
                return;
              }
              emitReleased(offer.released);
              if (offer.advanced) {
                subscriber.next({
                  kind: 'watermark',
                  partition,
                  watermark: offer.watermark,
                  finalized: offer.finalized,
                });
              }
              return;
            }
            case 'flush':
              flush();
              subscriber.next(event);
              return;
            case 'revoke':
              buffer.drop(event.partitions);
              subscriber.next(event);
              return;
            default:
              subscriber.next(event);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        idle?.unsubscribe();
      };
    });
}
