import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../services/shared/bus/offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only the contiguous acked prefix when acks come out of order', () => {
    const t = new OffsetTracker();
    const acks = [10, 11, 12, 13].map((o) => t.track('ticks', 0, o));
    acks[1]?.();
    acks[2]?.();
    expect(t.takeCommits().size).toBe(0);
    acks[0]?.();
    expect(t.takeCommits().get('ticks:0')).toBe(13);
    acks[3]?.();
    expect(t.takeCommits().get('ticks:0')).toBe(14);
    expect(t.inFlight).toBe(0);
  });

  it('keeps partitions independent and acks idempotent', () => {
    const t = new OffsetTracker();
    const a = t.track('ticks', 0, 0);
    const b = t.track('ticks', 1, 5);
    b();
    b();
    expect([...t.takeCommits()]).toEqual([['ticks:1', 6]]);
    expect(t.inFlight).toBe(1);
    a();
    expect([...t.takeCommits()]).toEqual([['ticks:0', 1]]);
  });

  it('forgets revoked partitions', () => {
    const t = new OffsetTracker();
    const a = t.track('ticks', 0, 0);
    t.forget('ticks', 0);
    a();
    expect(t.takeCommits().size).toBe(0);
    expect(t.inFlight).toBe(0);
  });

  it('never commits past an un-acked record, for any ack order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(), { maxLength: 200 }), (n, picks) => {
        const t = new OffsetTracker();
        const acks = Array.from({ length: n }, (_, i) => t.track('p', 0, 100 + i));
        const acked = new Set<number>();
        let committed = 100;
        for (const pick of picks) {
          const i = pick % n;
          acks[i]?.();
          acked.add(i);
          const c = t.takeCommits().get('p:0');
          if (c !== undefined) committed = c;
          let prefix = 0;
          while (acked.has(prefix)) prefix++;
          expect(committed).toBe(100 + prefix);
        }
      }),
    );
  });
});
