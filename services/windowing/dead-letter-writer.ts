import type { InboundRecord, Sink } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';

/**
 * Where a feature record that cannot be used goes, with its original bytes and a stable reason
 * code. The stage acks the record once write resolves. The shared writer
 * (services/shared/bus/dead-letter.ts) satisfies this; `sinkDeadLetterWriter` is the stand-in
 * used when none is given.
 */
export interface DeadLetterWriter {
  write(record: InboundRecord, code: string, message: string): Promise<void>;
}

/** Produces a risk.v1.DeadLetter to the DLQ topic, keyed like the original record. */
export function sinkDeadLetterWriter(
  sink: Sink,
  codec: Codec,
  topic: string,
  service: string,
  now: () => number,
): DeadLetterWriter {
  return {
    write: (record, code, message) =>
      sink.send([
        {
          topic,
          key: record.key,
          value: codec.encode('DeadLetter', {
            originalTopic: record.topic,
            originalPartition: record.partition,
            originalOffset: record.offset,
            originalKey: record.key,
            originalValue: record.value,
            errorCode: code,
            message,
            service,
            time: now(),
          }),
        },
      ]),
  };
}
