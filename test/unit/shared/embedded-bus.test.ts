import { Partitioners } from 'kafkajs';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { partitionForKey } from '../../../services/shared/bus/murmur2-partitioner.js';
import type { InboundRecord } from '../../../services/shared/bus/transport.js';

const until = async (cond: () => boolean, ms = 2_000) => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

async function busWith(records: number, partitions = 3) {
  const bus = new EmbeddedBus();
  await bus.ensureTopics([{ name: 't', partitions }]);
  await bus.sink().send(
    Array.from({ length: records }, (_, i) => ({
      topic: 't',
      key: `k${i % 7}`,
      value: Buffer.from(String(i)),
    })),
  );
  return bus;
}

describe('murmur2 partitioner', () => {
  it('places keys exactly where kafkajs DefaultPartitioner does', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const key of ['AAPL', 'MSFT', 'GOOG', 'BRK.B', 'x', '', 'a-much-longer-symbol-key-0123456789']) {
      for (const n of [1, 3, 6, 12]) {
        const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({
          partitionId,
          leader: 0,
          partitionErrorCode: 0,
          replicas: [0],
          isr: [0],
        }));
        const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionForKey(key, n), `${key}/${n}`).toBe(expected);
      }
    }
  });
});

describe('EmbeddedBus', () => {
  it('keeps per-key order within a partition and delivers everything', async () => {
    const bus = await busWith(100);
    const src = bus.source({ groupId: 'g', topics: ['t'] });
    const got = await firstValueFrom(src.records$.pipe(take(100), toArray()));
    expect(got).toHaveLength(100);
    const byKey = new Map<string, number[]>();
    for (const r of got) {
      const list = byKey.get(String(r.key)) ?? [];
      list.push(Number(String(r.value)));
      byKey.set(String(r.key), list);
    }
    for (const list of byKey.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  });

  it('commits what was acked, contiguously, per partition', async () => {
    const bus = await busWith(30, 1);
    const src = bus.source({ groupId: 'g', topics: ['t'] });
    const got: InboundRecord[] = [];
    const sub = src.records$.subscribe((r) => got.push(r));
    await until(() => got.length === 30);
    for (const r of got.slice(0, 10)) r.ack();
    got[20]?.ack();
    expect(bus.groupOffsets('g').get('t:0')).toBe(10);
    sub.unsubscribe();
  });

  it('redelivers un-acked records to the next member after a rebalance (at-least-once)', async () => {
    const bus = await busWith(60, 4);
    const first: InboundRecord[] = [];
    const a = bus.source({ groupId: 'g', topics: ['t'] }).records$.subscribe((r) => first.push(r));
    await until(() => first.length === 60);
    for (const r of first.filter((r) => r.partition < 2)) r.ack();
    a.unsubscribe();
    const second: InboundRecord[] = [];
    const b = bus.source({ groupId: 'g', topics: ['t'] }).records$.subscribe((r) => second.push(r));
    const unacked = first.filter((r) => r.partition >= 2).length;
    await until(() => second.length === unacked);
    expect(second.every((r) => r.partition >= 2)).toBe(true);
    b.unsubscribe();
  });

  it('splits partitions between two members of a group and rebalances when one joins', async () => {
    const bus = await busWith(0, 6);
    const a = bus.source({ groupId: 'g', topics: ['t'] });
    const events: string[] = [];
    a.rebalances$.subscribe((e) => events.push(`${e.type}:${e.assignments[0]?.partitions.join(',')}`));
    const subA = a.records$.subscribe();
    const b = bus.source({ groupId: 'g', topics: ['t'] });
    const subB = b.records$.subscribe();
    expect(events).toEqual(['assigned:0,1,2,3,4,5', 'revoked:0,1,2,3,4,5', 'assigned:0,2,4']);
    subA.unsubscribe();
    subB.unsubscribe();
  });

  it('pauses at maxInFlight and resumes when acks free capacity', async () => {
    const bus = await busWith(50, 1);
    const got: InboundRecord[] = [];
    const sub = bus
      .source({ groupId: 'g', topics: ['t'], maxInFlight: 10 })
      .records$.subscribe((r) => got.push(r));
    await until(() => got.length === 10);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(10);
    for (const r of got.slice(0, 5)) r.ack();
    await until(() => got.length === 15);
    sub.unsubscribe();
  });

  it('global sources read every partition from the start, without a group', async () => {
    const bus = await busWith(20, 3);
    const got = await firstValueFrom(
      bus.source({ groupId: 'unused', topics: ['t'], global: true }).records$.pipe(take(20), toArray()),
    );
    expect(new Set(got.map((r) => r.partition))).toEqual(new Set([0, 1, 2]));
  });

  it('reads ranges and reports offsets', async () => {
    const bus = await busWith(12, 2);
    const offs = await bus.offsets('t');
    expect(offs.reduce((s, o) => s + o.high, 0)).toBe(12);
    const range = await bus.read('t', 0, 1, 3);
    expect(range.map((r) => r.offset)).toEqual([1, 2]);
  });

  describe('retention (retainRecords)', () => {
    const send = (bus: EmbeddedBus, from: number, count: number) =>
      bus.sink().send(
        Array.from({ length: count }, (_, i) => ({
          topic: 't',
          key: null,
          partition: 0,
          value: Buffer.from(String(from + i)),
        })),
      );

    it('keeps the newest records of a topic nobody consumes, at their offsets', async () => {
      const bus = new EmbeddedBus({ retainRecords: 1_000 });
      await bus.ensureTopics([{ name: 't', partitions: 1 }]);
      await send(bus, 0, 10_000);
      const [o] = await bus.offsets('t');
      expect(o?.high).toBe(10_000);
      // Dropped in amortised steps: never fewer than retainRecords kept, never far more.
      expect(10_000 - (o?.low ?? 0)).toBeGreaterThanOrEqual(1_000);
      expect(10_000 - (o?.low ?? 0)).toBeLessThanOrEqual(2_000);
      const tail = await bus.read('t', 0, 9_998, 10_000);
      expect(tail.map((r) => [r.offset, String(r.value)])).toEqual([
        [9_998, '9998'],
        [9_999, '9999'],
      ]);
      expect(await bus.read('t', 0, 0, 5)).toEqual([]);
    });

    it('never drops what a group has not committed past, so no consumer skips a record', async () => {
      const bus = new EmbeddedBus({ retainRecords: 100 });
      await bus.ensureTopics([{ name: 't', partitions: 1 }]);
      const got: InboundRecord[] = [];
      const sub = bus.source({ groupId: 'g', topics: ['t'] }).records$.subscribe((r) => got.push(r));
      await send(bus, 0, 5_000);
      await until(() => got.length === 5_000);
      // Nothing acked: the group may need every record again after a rebalance.
      expect((await bus.offsets('t'))[0]?.low).toBe(0);
      for (const r of got.slice(0, 3_000)) r.ack();
      bus.groupOffsets('g');
      await send(bus, 5_000, 2_000);
      const low = (await bus.offsets('t'))[0]?.low ?? 0;
      expect(low).toBeGreaterThan(0);
      expect(low).toBeLessThanOrEqual(3_000);
      sub.unsubscribe();
      // A new member of the group resumes at the committed offset with nothing missing.
      const again: InboundRecord[] = [];
      const sub2 = bus.source({ groupId: 'g', topics: ['t'] }).records$.subscribe((r) => again.push(r));
      await until(() => again.length === 4_000);
      expect(again[0]?.offset).toBe(3_000);
      expect(again.map((r) => r.offset)).toEqual(Array.from({ length: 4_000 }, (_, i) => 3_000 + i));
      sub2.unsubscribe();
    });

    it('keeps what a global reader has not read yet', async () => {
      const bus = new EmbeddedBus({ retainRecords: 10 });
      await bus.ensureTopics([{ name: 't', partitions: 1 }]);
      const got: InboundRecord[] = [];
      const sub = bus
        .source({ groupId: 'x', topics: ['t'], global: true })
        .records$.subscribe((r) => got.push(r));
      // Appended before the reader's next turn: it still needs all of them.
      await send(bus, 0, 3_000);
      expect((await bus.offsets('t'))[0]?.low).toBe(0);
      await until(() => got.length === 3_000);
      await send(bus, 3_000, 2_000);
      expect((await bus.offsets('t'))[0]?.low).toBeGreaterThan(0);
      await until(() => got.length === 5_000);
      expect(got.every((r, i) => r.offset === i)).toBe(true);
      sub.unsubscribe();
    });

    it('keeps everything by default', async () => {
      const bus = await busWith(5_000, 1);
      expect((await bus.offsets('t'))[0]).toEqual({ partition: 0, low: 0, high: 5_000 });
    });
  });

  it('refuses unknown topics and partition-count mismatches with a clear error', async () => {
    const bus = await busWith(0, 2);
    await expect(bus.sink().send([{ topic: 'nope', key: null, value: null }])).rejects.toThrow(
      /unknown topic nope/,
    );
    await expect(bus.ensureTopics([{ name: 't', partitions: 3 }])).rejects.toThrow(/expected 3 partitions/);
  });
});
