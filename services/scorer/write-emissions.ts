import { concatMap, type MonoTypeOperatorFunction } from 'rxjs';
import type { Sink } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import type { TopicsConfig } from '../shared/config/kafka-config.js';
import { emissionRecords, writeEmissionPoints } from './emission-records.js';
import type { PointWriter } from './point-writer.js';
import type { Emission } from './scored-item.js';

export interface WriteEmissionsOptions {
  sink: Sink;
  codec: Codec;
  topics: TopicsConfig;
  influx?: PointWriter | undefined;
}

/**
 * Produces each emission to Kafka, hands it to the InfluxDB buffer, and only then acks the inputs
 * it came from. Kafka is the system of record: an ack waits for the broker; InfluxDB is a
 * buffered secondary sink whose losses are counted by the sink, so it does not hold commits.
 */
export function writeEmissions(options: WriteEmissionsOptions): MonoTypeOperatorFunction<Emission> {
  return concatMap(async (em) => {
    const records = emissionRecords(em, options.codec, options.topics);
    if (records.length > 0) await options.sink.send(records);
    if (options.influx) writeEmissionPoints(em, options.influx);
    for (const ack of em.acks) ack();
    return em;
  });
}
