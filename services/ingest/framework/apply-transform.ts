import { Observable, type OperatorFunction } from 'rxjs';
import type { FeedTransform } from './feed-transform.js';
import type { IngestEvent, Work } from './ingest-event.js';

/**
 * Runs a feed transform over the event stream and routes everything else: rejected records become
 * dead-letter work, duplicates become skip work (ack only), markers pass on. The transform instance
 * is created per subscription and is the pipeline's feature state.
 */
export function applyTransform<T>(
  createTransform: () => FeedTransform<T>,
): OperatorFunction<IngestEvent<T>, Work> {
  return (source) =>
    new Observable<Work>((subscriber) => {
      const transform = createTransform();
      const emit = (works: Work[]) => {
        for (const w of works) subscriber.next(w);
      };
      return source.subscribe({
        next: (event) => {
          switch (event.kind) {
            case 'accepted':
              emit(transform.accept(event));
              return;
            case 'watermark':
              emit(transform.watermark(event));
              return;
            case 'rejected':
              subscriber.next({
                kind: 'dead-letter',
                input: event.input,
                reason: event.reason,
                message: event.message,
              });
              return;
            case 'duplicate':
              subscriber.next({ kind: 'skip', input: event.input });
              return;
            case 'flush':
              emit(transform.flush());
              subscriber.next(event);
              return;
            case 'revoke':
              transform.revoke(event.partitions);
              return;
            case 'barrier':
              subscriber.next(event);
              return;
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          emit(transform.flush());
          subscriber.complete();
        },
      });
    });
}
