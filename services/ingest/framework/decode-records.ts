import { concatMap, from, map, type Observable, type OperatorFunction, of } from 'rxjs';
import type { InboundRecord } from '../../shared/bus/transport.js';
import type { Codec } from '../../shared/codec/codec.js';
import { CodecError } from '../../shared/codec/codec-error.js';
import type { RecordName, RecordTypes } from '../../shared/contracts/records.js';
import {
  type Accepted,
  type ControlEvent,
  isControlInput,
  type PipelineInput,
  type Rejected,
} from './ingest-event.js';

/** Writer schemas that a registry lookup (Codec.learn) may make readable. */
const LEARNABLE = new Set(['unknown_schema_id', 'unknown_fingerprint']);

type Decoded<N extends RecordName> = Accepted<RecordTypes[N]> | Rejected;

function attempt<N extends RecordName>(codec: Codec, name: N, input: InboundRecord): Decoded<N> | CodecError {
  if (input.value === null) {
    return {
      kind: 'rejected',
      input,
      reason: 'undecodable',
      message: `expected a ${name} value, got a null value (tombstone)`,
    };
  }
  try {
    return { kind: 'accepted', input, value: codec.decode(name, input.value) };
  } catch (err) {
    if (err instanceof CodecError) return err;
    throw err;
  }
}

const rejectCodec = (input: InboundRecord, err: CodecError): Rejected => ({
  kind: 'rejected',
  input,
  reason: 'undecodable',
  // The codec's own code stays in the message: the DLQ reason is one stable 'undecodable'.
  message: `[${err.code}] ${err.message}`,
});

/**
 * Bytes -> records. Anything the codec refuses becomes a `rejected` event with reason undecodable
 * (the codec's code kept in the message). A writer schema not known yet is looked up once
 * (Codec.learn) before giving up; order is kept while that lookup runs.
 */
export function decodeRecords<N extends RecordName>(
  codec: Codec,
  name: N,
): OperatorFunction<PipelineInput, Decoded<N> | ControlEvent> {
  return concatMap((input): Observable<Decoded<N> | ControlEvent> => {
    if (isControlInput(input)) return of(input);
    const first = attempt(codec, name, input);
    if (!(first instanceof CodecError)) return of(first);
    if (!LEARNABLE.has(first.code) || input.value === null) return of(rejectCodec(input, first));
    const bytes = input.value;
    return from(
      codec.learn(bytes).then(
        () => attempt(codec, name, input),
        (err: unknown) =>
          new CodecError(first.code, `${first.message}; schema lookup failed: ${(err as Error).message}`),
      ),
    ).pipe(map((second) => (second instanceof CodecError ? rejectCodec(input, second) : second)));
  });
}
