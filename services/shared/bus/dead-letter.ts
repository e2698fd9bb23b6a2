import { Counter, type Registry } from 'prom-client';
import type { Codec } from '../codec/codec.js';
import type { DeadLetter } from '../contracts/records.js';
import type { InboundRecord, OutboundRecord, Sink } from './transport.js';

export interface DeadLetterWriterOptions {
  sink: Sink;
  codec: Codec;
  /** The DLQ topic (config.topics.dlq.name). */
  topic: string;
  /** The service that rejects records; also the `service` label of the counter. */
  service: string;
  registry?: Registry;
  now?: () => number;
}

/** What a stage needs to reject a record; the stage acks the input once write resolves. */
export interface DeadLetters {
  write(record: InboundRecord, errorCode: string, message: string): Promise<void>;
}

const COUNTER = 'risk_dead_letters_total';

function deadLetterCounter(registry?: Registry): Counter<'service' | 'reason'> {
  const existing = registry?.getSingleMetric(COUNTER);
  if (existing) return existing as Counter<'service' | 'reason'>;
  return new Counter({
    name: COUNTER,
    help: 'Records sent to the dead-letter topic, by rejecting service and reason code',
    labelNames: ['service', 'reason'],
    registers: registry ? [registry] : [],
  });
}

/**
 * Sends records a service cannot process to the dead-letter topic, with their original key and
 * value bytes untouched and a stable reason code. The DLQ record's key is the original topic, so
 * one topic's rejects stay in order. write() resolves once the DLQ record is stored: only then may
 * the caller ack the input (a crash before that redelivers the input, never loses it).
 */
export class DeadLetterWriter implements DeadLetters {
  private readonly counter: Counter<'service' | 'reason'>;
  private readonly now: () => number;

  constructor(private readonly options: DeadLetterWriterOptions) {
    this.counter = deadLetterCounter(options.registry);
    this.now = options.now ?? Date.now;
  }

  /** The DLQ record for a rejected input (exposed for tests and batch writers). */
  toOutbound(record: InboundRecord, errorCode: string, message: string): OutboundRecord {
    const letter: DeadLetter = {
      originalTopic: record.topic,
      originalPartition: record.partition,
      originalOffset: record.offset,
      originalKey: record.key,
      originalValue: record.value,
      errorCode,
      message,
      service: this.options.service,
      time: this.now(),
    };
    return {
      topic: this.options.topic,
      key: record.topic,
      value: this.options.codec.encode('DeadLetter', letter),
      headers: { 'risk-error-code': errorCode, 'risk-service': this.options.service },
    };
  }

  async write(record: InboundRecord, errorCode: string, message: string): Promise<void> {
    await this.options.sink.send([this.toOutbound(record, errorCode, message)]);
    this.counter.inc({ service: this.options.service, reason: errorCode });
  }
}
