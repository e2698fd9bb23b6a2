import { describe, expect, it } from 'vitest';
import { EventTimeBuffer } from '../../../services/ingest/framework/event-time-buffer.js';

describe('EventTimeBuffer', () => {
  it('holds records until the watermark (max time - out-of-orderness) passes them, then releases in order', () => {
    const b = new EventTimeBuffer<string>({ maxOutOfOrdernessMs: 10, allowedLatenessMs: 0 });
    expect(b.offer('p', 100, 'a', 0)).toMatchObject({ late: false, released: [], watermark: 90 });
    expect(b.offer('p', 95, 'b', 0)).toMatchObject({ released: [], advanced: false, watermark: 90 });
    expect(b.offer('p', 108, 'c', 0)).toMatchObject({ released: ['b'], advanced: true, watermark: 98 });
    expect(b.offer('p', 120, 'd', 0)).toMatchObject({ released: ['a', 'c'], watermark: 110 });
    expect(b.buffered).toBe(1);
  });

  it('rejects a record older than watermark - allowed lateness, and accepts one inside it', () => {
    const b = new EventTimeBuffer<string>({ maxOutOfOrdernessMs: 0, allowedLatenessMs: 5 });
    b.offer('p', 100, 'a', 0);
    expect(b.offer('p', 94, 'late', 0)).toEqual({ late: true, watermark: 100, finalized: 95 });
    expect(b.offer('p', 95, 'ok', 0)).toMatchObject({ late: false, released: ['ok'], finalized: 95 });
  });

  it('keeps a watermark per partition, like stream time in Kafka Streams', () => {
    const b = new EventTimeBuffer<string>({ maxOutOfOrdernessMs: 0, allowedLatenessMs: 0 });
    b.offer('p0', 1_000, 'a', 0);
    expect(b.offer('p1', 10, 'b', 0)).toMatchObject({ late: false, released: ['b'] });
    expect(b.watermark('p0')).toBe(1_000);
    expect(b.watermark('p1')).toBe(10);
  });

  it('releases equal event times in arrival order', () => {
    const b = new EventTimeBuffer<string>({ maxOutOfOrdernessMs: 5, allowedLatenessMs: 0 });
    for (const x of ['a', 'b', 'c']) b.offer('p', 50, x, 0);
    expect(b.offer('p', 60, 'd', 0)).toMatchObject({ released: ['a', 'b', 'c'] });
  });

  it('advances an idle partition by wall clock and flushes everything at the end', () => {
    const b = new EventTimeBuffer<string>({ maxOutOfOrdernessMs: 100, allowedLatenessMs: 0 });
    b.offer('p', 1_000, 'a', 5);
    b.offer('q', 1_000, 'b', 50);
    expect(b.idleSince(10)).toEqual(['p']);
    expect(b.advance('p', 1_000)).toEqual({ released: ['a'], watermark: 1_000, finalized: 1_000 });
    expect(b.advance('p', 999)).toBeUndefined();
    expect(b.flush()).toEqual([{ partition: 'q', released: ['b'] }]);
    // After a flush nothing older than what was seen is accepted.
    expect(b.offer('q', 999, 'x', 60)).toMatchObject({ late: true });
  });

  it('drops revoked partitions', () => {
    const b = new EventTimeBuffer<string>({ maxOutOfOrdernessMs: 100, allowedLatenessMs: 0 });
    b.offer('p', 1_000, 'a', 0);
    b.drop(new Set(['p']));
    expect(b.buffered).toBe(0);
    expect(b.partitions()).toEqual([]);
  });
});
