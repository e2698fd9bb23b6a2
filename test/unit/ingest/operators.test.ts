import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { applyTransform } from '../../../services/ingest/framework/apply-transform.js';
import { decodeRecords } from '../../../services/ingest/framework/decode-records.js';
import { dedupeRecords } from '../../../services/ingest/framework/dedupe-records.js';
import { KeyDeduplicator } from '../../../services/ingest/framework/deduplicator.js';
import { deliverWork } from '../../../services/ingest/framework/deliver-work.js';
import type { FeedTransform } from '../../../services/ingest/framework/feed-transform.js';
import type { Accepted, IngestEvent, Work } from '../../../services/ingest/framework/ingest-event.js';
import { orderByEventTime } from '../../../services/ingest/framework/order-by-event-time.js';
import { validateRecords } from '../../../services/ingest/framework/validate-records.js';
import type { Codec } from '../../../services/shared/codec/codec.js';
import { CodecError } from '../../../services/shared/codec/codec-error.js';
import type { MarketTick } from '../../../services/shared/contracts/records.js';
import { codec, inbound, type TestRecord, tick } from './ingest-fixtures.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const accepted = (input: TestRecord, value: MarketTick): Accepted<MarketTick> => ({
  kind: 'accepted',
  input,
  value,
});

describe('decodeRecords', () => {
  it('decodes good bytes and rejects garbage and tombstones as undecodable, keeping the codec code', () => {
    const good = inbound(0, codec.encode('MarketTick', tick()));
    const garbage = inbound(1, Buffer.from('not avro'));
    const tomb = inbound(2, null);
    const flush = { kind: 'flush' as const, id: 1 };
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold('a-b-c-f|', { a: good, b: garbage, c: tomb, f: flush }).pipe(
        decodeRecords(codec, 'MarketTick'),
      );
      expectObservable(out).toBe('a-b-c-f|', {
        a: accepted(good, tick()),
        b: {
          kind: 'rejected',
          input: garbage,
          reason: 'undecodable',
          message: expect.stringMatching(/^\[bad_magic\] MarketTick: expected Avro single-object/),
        },
        c: {
          kind: 'rejected',
          input: tomb,
          reason: 'undecodable',
          message: 'expected a MarketTick value, got a null value (tombstone)',
        },
        f: flush,
      });
    });
  });

  it('asks the codec to learn an unknown writer schema once, then decodes', async () => {
    let known = false;
    let lookups = 0;
    const learning: Codec = {
      format: 'confluent',
      encode: codec.encode.bind(codec),
      decode: ((name, bytes) => {
        if (!known) throw new CodecError('unknown_schema_id', 'schema id 7 is not known yet');
        return codec.decode(name, bytes);
      }) as Codec['decode'],
      learn: async () => {
        lookups++;
        known = true;
      },
    };
    const r = inbound(0, codec.encode('MarketTick', tick()));
    const out: unknown[] = [];
    await new Promise<void>((resolve) =>
      of(r)
        .pipe(decodeRecords(learning, 'MarketTick'))
        .subscribe({ next: (e) => out.push(e), complete: resolve }),
    );
    expect(lookups).toBe(1);
    expect(out).toEqual([accepted(r, tick())]);
  });
});

describe('validateRecords', () => {
  it('turns a violation into a rejection and passes everything else', () => {
    const ok = inbound(0, null);
    const bad = inbound(1, null);
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold<IngestEvent<MarketTick>>('a-b-d|', {
        a: accepted(ok, tick()),
        b: accepted(bad, tick({ bid: 2, ask: 1 })),
        d: { kind: 'duplicate', input: ok },
      });
      const out = src.pipe(
        validateRecords<MarketTick>((t) =>
          t.bid > t.ask ? { reason: 'bid_gt_ask', message: 'crossed' } : null,
        ),
      );
      expectObservable(out).toBe('a-b-d|', {
        a: accepted(ok, tick()),
        b: { kind: 'rejected', input: bad, reason: 'bid_gt_ask', message: 'crossed' },
        d: { kind: 'duplicate', input: ok },
      });
    });
  });
});

describe('dedupeRecords', () => {
  it('marks a repeated key as duplicate and forgets revoked partitions', () => {
    const r = (o: number) => inbound(o, null);
    const [r0, r1, r2, r3] = [r(0), r(1), r(2), r(3)];
    const revoke = { kind: 'revoke' as const, partitions: new Set(['market.ticks:0']) };
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold<IngestEvent<MarketTick>>('a-b-c-r-d|', {
        a: accepted(r0, tick({ sequence: 1 })),
        b: accepted(r1, tick({ sequence: 2 })),
        c: accepted(r2, tick({ sequence: 1 })),
        r: revoke,
        d: accepted(r3, tick({ sequence: 1 })),
      }).pipe(dedupeRecords(() => new KeyDeduplicator<MarketTick>((t) => String(t.sequence), 10)));
      expectObservable(out).toBe('a-b-c-r-d|', {
        a: accepted(r0, tick({ sequence: 1 })),
        b: accepted(r1, tick({ sequence: 2 })),
        c: { kind: 'duplicate', input: r2 },
        r: revoke,
        d: accepted(r3, tick({ sequence: 1 })),
      });
    });
  });
});

describe('orderByEventTime', () => {
  const at = (offset: number, eventTime: number, partition = 0) => {
    const input = inbound(offset, null, { partition });
    return accepted(input, tick({ eventTime, sequence: offset }));
  };

  it('reorders within the bound, emits watermarks, and rejects what is later than the lateness', () => {
    const a = at(0, 1_000);
    const b = at(1, 900);
    const c = at(2, 1_200);
    const late = at(3, 950);
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold('a 9ms b 9ms c 9ms l 9ms |', { a, b, c, l: late }).pipe(
        orderByEventTime<MarketTick>({
          eventTimeOf: (t) => t.eventTime,
          maxOutOfOrdernessMs: 200,
          allowedLatenessMs: 0,
          idleFlushMs: 0,
          now: () => 0,
        }),
      );
      const wm = (watermark: number) => ({
        kind: 'watermark',
        partition: 'market.ticks:0',
        watermark,
        finalized: watermark,
      });
      // c lifts the watermark to 1000: b (900) and a (1000) leave in event-time order.
      expectObservable(out).toBe('w 19ms (bax) 5ms l 9ms (c|)', {
        w: wm(800),
        b,
        x: wm(1_000),
        l: {
          kind: 'rejected',
          input: late.input,
          reason: 'late',
          message: expect.stringContaining('before 1970-01-01T00:00:01.000Z'),
        },
        a,
        c,
      });
    });
  });

  it('advances an idle partition by the wall clock (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const a = at(0, 10_000);
      const out = cold('a 30ms |', { a }).pipe(
        orderByEventTime<MarketTick>({
          eventTimeOf: (t) => t.eventTime,
          maxOutOfOrdernessMs: 5_000,
          allowedLatenessMs: 0,
          idleFlushMs: 10,
          // Wall clock runs with virtual time, offset to be near the event times.
          now: () => 14_990 + ts.now(),
          scheduler: ts,
        }),
      );
      // The record arrives at 0 (wall 14990); the idle check every 5 ms finds it silent for >= 10 ms
      // at 10 ms and moves the watermark to wall - maxOutOfOrderness = 10000, releasing the record.
      expectObservable(out).toBe('w 9ms (ax) 1ms y 4ms z 4ms v 4ms u |', {
        w: { kind: 'watermark', partition: 'market.ticks:0', watermark: 5_000, finalized: 5_000 },
        a,
        x: { kind: 'watermark', partition: 'market.ticks:0', watermark: 10_000, finalized: 10_000 },
        y: { kind: 'watermark', partition: 'market.ticks:0', watermark: 10_005, finalized: 10_005 },
        z: { kind: 'watermark', partition: 'market.ticks:0', watermark: 10_010, finalized: 10_010 },
        v: { kind: 'watermark', partition: 'market.ticks:0', watermark: 10_015, finalized: 10_015 },
        u: { kind: 'watermark', partition: 'market.ticks:0', watermark: 10_020, finalized: 10_020 },
      });
    });
  });
});

describe('applyTransform', () => {
  it('routes rejections to dead letters, duplicates to skips, and flushes at the end', () => {
    const produced: Work = { kind: 'produce', records: [], inputs: [] };
    const transform: FeedTransform<MarketTick> = {
      accept: () => [],
      watermark: () => [produced],
      flush: () => [produced],
      revoke: () => {},
    };
    const r = inbound(0, null);
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold<IngestEvent<MarketTick>>('a 9ms w 9ms x 9ms d 9ms f 9ms b 9ms |', {
        a: accepted(r, tick()),
        w: { kind: 'watermark', partition: 'p', watermark: 1, finalized: 1 },
        x: { kind: 'rejected', input: r, reason: 'late', message: 'm' },
        d: { kind: 'duplicate', input: r },
        f: { kind: 'flush', id: 1 },
        b: { kind: 'barrier', id: 2 },
      }).pipe(applyTransform(() => transform));
      expectObservable(out).toBe('10ms p 9ms x 9ms d 9ms (pf) 6ms b 9ms (p|)', {
        p: produced,
        x: { kind: 'dead-letter', input: r, reason: 'late', message: 'm' },
        d: { kind: 'skip', input: r },
        f: { kind: 'flush', id: 1 },
        b: { kind: 'barrier', id: 2 },
      });
    });
  });
});

describe('deliverWork', () => {
  it('acks inputs only after their send completes and merges produce items queued behind a send', () => {
    const inputs = [0, 1, 2, 3].map((o) => inbound(o, null));
    const [i0, i1, i2, i3] = inputs as [TestRecord, TestRecord, TestRecord, TestRecord];
    const rec = (n: number) => ({ topic: 'out', key: `k${n}`, value: null });
    const work = {
      a: { kind: 'produce', records: [rec(0)], inputs: [i0] },
      b: { kind: 'produce', records: [rec(1)], inputs: [i1] },
      c: { kind: 'produce', records: [rec(2)], inputs: [i2] },
      d: { kind: 'dead-letter', input: i3, reason: 'late', message: 'm' },
    } satisfies Record<string, Work>;
    const sends: number[] = [];
    const ts = scheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const out = cold<Work>('abc 5ms d 5ms |', work).pipe(
        deliverWork({
          send: (records) => {
            sends.push(records.length);
            return cold('---|');
          },
          deadLetter: () => cold('---|'),
        }),
      );
      // a is sent alone (0-3); b and c queue behind it and go together (3-6); the dead letter 8-11.
      expectObservable(out).toBe('3ms a 2ms (bc) 1ms d 2ms |', work);
      flush();
      expect(sends).toEqual([1, 2]);
      expect(inputs.map((i) => i.acks)).toEqual([1, 1, 1, 1]);
    });
  });

  it('writes the dead letters queued behind a send alongside the next send, acking after both', () => {
    const inputs = [0, 1, 2, 3, 4, 5].map((o) => inbound(o, null));
    const [i0, i1, i2, i3, i4, i5] = inputs as [
      TestRecord,
      TestRecord,
      TestRecord,
      TestRecord,
      TestRecord,
      TestRecord,
    ];
    const rec = (n: number) => ({ topic: 'out', key: `k${n}`, value: null });
    const work = {
      a: { kind: 'produce', records: [rec(0)], inputs: [i0] },
      b: { kind: 'dead-letter', input: i1, reason: 'late', message: 'm1' },
      c: { kind: 'produce', records: [rec(2)], inputs: [i2] },
      d: { kind: 'dead-letter', input: i3, reason: 'late', message: 'm3' },
      s: { kind: 'skip', input: i4 },
      e: { kind: 'produce', records: [rec(5)], inputs: [i5] },
    } satisfies Record<string, Work>;
    const calls: string[] = [];
    const ts = scheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const out = cold<Work>('a(bcdse) |', work).pipe(
        deliverWork({
          send: (records) => {
            calls.push(`send ${records.map((r) => r.key).join(',')}`);
            return cold('---|');
          },
          // The dead letters take longer than the send: the step ends with the slowest of them.
          deadLetter: (input) => {
            calls.push(`dlq ${input.offset}`);
            return cold('-----|');
          },
        }),
      );
      // a alone (0-3); then b..e in one step: one send (c, e) and two dead letters, done at 8.
      expectObservable(out).toBe('3ms a 4ms (bcdse|)', work);
      ts.schedule(() => {
        // At 7 the step's send is stored but its dead letters are not: nothing of it is acked.
        expect(inputs.map((i) => i.acks)).toEqual([1, 0, 0, 0, 0, 0]);
      }, 7);
      flush();
      expect(calls).toEqual(['send k0', 'send k2,k5', 'dlq 1', 'dlq 3']);
      expect(inputs.map((i) => i.acks)).toEqual([1, 1, 1, 1, 1, 1]);
    });
  });

  it('acks nothing of a step whose dead-letter write failed', () => {
    const [i0, i1, i2] = [inbound(0, null), inbound(1, null), inbound(2, null)];
    const out = { topic: 'o', key: null, value: null };
    const work = {
      x: { kind: 'produce', records: [out], inputs: [i0] },
      a: { kind: 'produce', records: [out], inputs: [i1] },
      b: { kind: 'dead-letter', input: i2, reason: 'late', message: 'm' },
    } satisfies Record<string, Work>;
    let sends = 0;
    scheduler().run(({ cold, expectObservable }) => {
      const out$ = cold<Work>('x(ab)', work).pipe(
        deliverWork({
          // x holds the queue (0-3); a and b form the next step: a stored at 4, b fails at 5.
          send: () => (sends++ === 0 ? cold('---|') : cold('-|')),
          deadLetter: () => cold('--#', undefined, new Error('dlq refused')),
        }),
      );
      expectObservable(out$).toBe('3ms x-#', work, new Error('dlq refused'));
    });
    expect([i0.acks, i1.acks, i2.acks]).toEqual([1, 0, 0]);
  });

  it('never acks the inputs of a failed send and reports the failure', () => {
    const i0 = inbound(0, null);
    scheduler().run(({ cold, expectObservable }) => {
      const out = cold<Work>('a|', {
        a: { kind: 'produce', records: [{ topic: 'o', key: null, value: null }], inputs: [i0] },
      }).pipe(
        deliverWork({
          send: () => cold('--#', undefined, new Error('broker down')),
          deadLetter: () => cold('|'),
        }),
      );
      expectObservable(out).toBe('--#', undefined, new Error('broker down'));
    });
    expect(i0.acks).toBe(0);
  });

  it('acks duplicates without sending and passes markers in order', () => {
    const i0 = inbound(0, null);
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold<Work>('s-f|', { s: { kind: 'skip', input: i0 }, f: { kind: 'flush', id: 3 } });
      expectObservable(src.pipe(deliverWork({ send: () => cold('|'), deadLetter: () => cold('|') }))).toBe(
        's-f|',
        {
          s: { kind: 'skip', input: i0 },
          f: { kind: 'flush', id: 3 },
        },
      );
    });
    expect(i0.acks).toBe(1);
  });
});
