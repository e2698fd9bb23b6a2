import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DeadLetterWriter } from '../../../services/shared/bus/dead-letter.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import type { InboundRecord } from '../../../services/shared/bus/transport.js';
import { createCodec } from '../../../services/shared/codec/create-codec.js';

describe('DeadLetterWriter', () => {
  it('stores the original bytes, the reason and the service, keyed by the original topic', async () => {
    const bus = new EmbeddedBus();
    await bus.ensureTopics([{ name: 'risk.dlq', partitions: 3 }]);
    const codec = await createCodec();
    const registry = new Registry();
    let acked = false;
    const input: InboundRecord = {
      topic: 'market.ticks',
      partition: 4,
      offset: 1234,
      key: Buffer.from('AAPL'),
      value: Buffer.from([0xde, 0xad]),
      timestamp: 1,
      ack: () => {
        acked = true;
      },
    };
    const writer = new DeadLetterWriter({
      sink: bus.sink(),
      codec,
      topic: 'risk.dlq',
      service: 'market-ingest',
      registry,
      now: () => 1_700_000_000_000,
    });
    await writer.write(input, 'bad_magic', 'expected single-object marker C3 01, got DE AD');
    await writer.write(input, 'bad_magic', 'again');
    expect(acked).toBe(false); // acking is the caller's call, after write resolves

    const stored = (await Promise.all([0, 1, 2].map((p) => bus.read('risk.dlq', p, 0, 10)))).flat();
    expect(stored).toHaveLength(2);
    const [first] = stored;
    expect(first?.key?.toString()).toBe('market.ticks');
    expect(codec.decode('DeadLetter', first?.value as Buffer)).toEqual({
      originalTopic: 'market.ticks',
      originalPartition: 4,
      originalOffset: 1234,
      originalKey: Buffer.from('AAPL'),
      originalValue: Buffer.from([0xde, 0xad]),
      errorCode: 'bad_magic',
      message: 'expected single-object marker C3 01, got DE AD',
      service: 'market-ingest',
      time: 1_700_000_000_000,
    });
    expect(await registry.getSingleMetricAsString('risk_dead_letters_total')).toContain(
      'risk_dead_letters_total{service="market-ingest",reason="bad_magic"} 2',
    );
  });

  it('keeps null keys and values null and shares the counter of a registry', async () => {
    const bus = new EmbeddedBus();
    await bus.ensureTopics([{ name: 'dlq', partitions: 1 }]);
    const codec = await createCodec();
    const registry = new Registry();
    const a = new DeadLetterWriter({ sink: bus.sink(), codec, topic: 'dlq', service: 'a', registry });
    const b = new DeadLetterWriter({ sink: bus.sink(), codec, topic: 'dlq', service: 'b', registry });
    const input: InboundRecord = {
      topic: 't',
      partition: 0,
      offset: 0,
      key: null,
      value: null,
      timestamp: 0,
      ack() {},
    };
    await a.write(input, 'missing_value', 'no value');
    await b.write(input, 'missing_value', 'no value');
    const [stored] = await bus.read('dlq', 0, 0, 1);
    const letter = codec.decode('DeadLetter', stored?.value as Buffer);
    expect(letter.originalKey).toBeNull();
    expect(letter.originalValue).toBeNull();
    const text = await registry.getSingleMetricAsString('risk_dead_letters_total');
    expect(text).toContain('service="a"');
    expect(text).toContain('service="b"');
  });

  it('rejects when the sink does (so the input is not acked)', async () => {
    const codec = await createCodec();
    const writer = new DeadLetterWriter({
      sink: { send: async () => Promise.reject(new Error('broker down')), close: async () => {} },
      codec,
      topic: 'dlq',
      service: 's',
    });
    const input: InboundRecord = {
      topic: 't',
      partition: 0,
      offset: 0,
      key: null,
      value: null,
      timestamp: 0,
      ack() {},
    };
    await expect(writer.write(input, 'x', 'y')).rejects.toThrow('broker down');
  });
});
