import { Observable, type OperatorFunction } from 'rxjs';
import type { Deduplicator } from './deduplicator.js';
import { type IngestEvent, partitionKeyOf } from './ingest-event.js';

/**
 * Marks accepted records seen before as `duplicate`. The deduplicator is created per subscription
 * (its memory is this pipeline's state) and forgets revoked partitions, whose records will come
 * again and must then count as new.
 */
export function dedupeRecords<T>(
  createDeduplicator: () => Deduplicator<T>,
): OperatorFunction<IngestEvent<T>, IngestEvent<T>> {
  return (source) =>
    new Observable<IngestEvent<T>>((subscriber) => {
      const dedupe = createDeduplicator();
      return source.subscribe({
        next: (event) => {
          if (event.kind === 'revoke') dedupe.forget(event.partitions);
          if (event.kind === 'accepted' && dedupe.isDuplicate(event.value, partitionKeyOf(event.input))) {
            subscriber.next({ kind: 'duplicate', input: event.input });
            return;
          }
          subscriber.next(event);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
