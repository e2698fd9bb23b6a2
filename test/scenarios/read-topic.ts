import type { InboundRecord, Transport } from '../../services/shared/bus/transport.js';

/** Every record a topic holds now, partition by partition (scenario checks after a run). */
export async function readTopic(transport: Transport, topic: string): Promise<InboundRecord[]> {
  const out: InboundRecord[] = [];
  for (const o of await transport.offsets(topic))
    out.push(...(await transport.read(topic, o.partition, o.low, o.high)));
  return out;
}
