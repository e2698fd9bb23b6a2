import { map, type OperatorFunction } from 'rxjs';
import type { IngestEvent } from './ingest-event.js';
import type { Violation } from './reason-codes.js';

/** Checks each accepted record; a violation turns it into a `rejected` event. Others pass through. */
export function validateRecords<T>(
  validate: (value: T) => Violation | null,
): OperatorFunction<IngestEvent<T>, IngestEvent<T>> {
  return map((event) => {
    if (event.kind !== 'accepted') return event;
    const violation = validate(event.value);
    return violation ? { kind: 'rejected', input: event.input, ...violation } : event;
  });
}
