import type { InboundRecord, Sink } from '../../shared/bus/transport.js';
import type { Codec } from '../../shared/codec/codec.js';

/**
 * Sends a record that cannot be processed to the dead-letter topic with its original bytes.
 * (services/shared/bus/dead-letter.ts has the shared writer; this is the shape ingest needs.)
 */
export interface DeadLetterWriter {
  write(record: InboundRecord, code: string, message: string): Promise<void>;
}

/** Encodes a DeadLetter with the codec and sends it through a sink, keyed by the original topic. */
export class SinkDeadLetterWriter implements DeadLetterWriter {
  constructor(
    private readonly options: {
      codec: Codec;
      sink: Sink;
      topic: string;
      service: string;
      now: () => number;
    },
  ) {}

  async write(record: InboundRecord, code: string, message: string): Promise<void> {
    const { codec, sink, topic, service, now } = this.options;
    const value = codec.encode('DeadLetter', {
      originalTopic: record.topic,
      originalPartition: record.partition,
      originalOffset: record.offset,
      originalKey: record.key,
      originalValue: record.value,
      errorCode: code,
      message,
      service,
      time: now(),
    });
    await sink.send([{ topic, key: record.topic, value }]);
  }
}
