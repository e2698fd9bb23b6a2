import fc from 'fast-check';
import { from, map, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import type { JoinedBar } from '../../../services/shared/contracts/sequence-batch.js';
import { ringWindow, type WindowSnapshot } from '../../../services/windowing/ring-window.js';
import type { JoinEvent, JoinedEvent, Sequence } from '../../../services/windowing/windowing-events.js';
import { WindowingMetrics } from '../../../services/windowing/windowing-metrics.js';
import { makeBar } from './windowing-fixtures.js';

const joined = (
  symbol: string,
  barEnd: number,
  partition = 0,
  ack = () => {},
  replay = false,
): JoinedEvent => ({
  kind: 'joined',
  joined: { bar: makeBar(symbol, barEnd), macro: [], sentiment: [] } satisfies JoinedBar,
  partition,
  replay,
  ack,
});

const describeSeq = (s: Sequence) => `${s.symbol}:${s.bars.map((b) => b.bar.barEnd).join(',')}`;

describe('ringWindow (marbles)', () => {
  it('emits the window ending at each bar once L bars are held; one symbol does not fill another', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const src = cold<JoinEvent>('a b x c d|', {
        a: joined('A', 1),
        b: joined('A', 2),
        x: joined('B', 1),
        c: joined('A', 3),
        d: joined('A', 4),
      });
      expectObservable(src.pipe(ringWindow({ seqLen: 3, idleEvictMs: 1e9 }), map(describeSeq))).toBe(
        '---c d|',
        {
          c: 'A:1,2,3',
          d: 'A:2,3,4',
        },
      );
    });
  });

  it('drops and acks duplicate or out-of-order bars, and acks bars that yield no sequence', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const metrics = new WindowingMetrics();
    const acks = Array.from({ length: 5 }, () => vi.fn());
    ts.run(({ cold, expectObservable }) => {
      const src = cold<JoinEvent>('a b c d e|', {
        a: joined('A', 1, 0, acks[0]),
        b: joined('A', 2, 0, acks[1]),
        c: joined('A', 2, 0, acks[2]),
        d: joined('A', 1, 0, acks[3]),
        e: joined('A', 3, 0, acks[4]),
      });
      expectObservable(src.pipe(ringWindow({ seqLen: 2, idleEvictMs: 1e9, metrics }), map(describeSeq))).toBe(
        '-b--e|',
        { b: 'A:1,2', e: 'A:2,3' },
      );
    });
    expect(metrics.stats.duplicateBars).toBe(2);
    // a, c, d acked by the window; b and e travel with their sequences.
    expect(acks.map((a) => a.mock.calls.length)).toEqual([1, 0, 1, 1, 0]);
  });

  it('folds replays in without emitting, and drops revoked partitions', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    let windows: () => WindowSnapshot[] = () => [];
    ts.run(({ cold, expectObservable }) => {
      const src = cold<JoinEvent>('a b c r d|', {
        a: joined('A', 1, 0, undefined, true),
        b: joined('A', 2, 0, undefined, true),
        c: joined('A', 3, 0),
        r: { kind: 'revoked', market: [0], sentiment: [0] },
        d: joined('A', 4, 0),
      });
      const out = src.pipe(
        ringWindow({ seqLen: 3, idleEvictMs: 1e9 }, (w) => {
          windows = w;
        }),
        map(describeSeq),
      );
      expectObservable(out).toBe('--c--|', { c: 'A:1,2,3' });
    });
    expect(windows().map((w) => [w.symbol, w.bars.length])).toEqual([['A', 1]]);
  });

  it('evicts symbols idle for idleEvictMs in event time', () => {
    const metrics = new WindowingMetrics();
    const out: string[] = [];
    const input = new Subject<JoinEvent>();
    input
      .pipe(ringWindow({ seqLen: 2, idleEvictMs: 100, metrics }))
      .subscribe((s) => out.push(describeSeq(s)));
    for (const e of [joined('A', 1), joined('B', 1), joined('A', 50), joined('A', 200), joined('B', 201)])
      input.next(e);
    // B's bar at 1 was evicted when A reached 200, so B's bar at 201 starts a new window.
    expect(out).toEqual(['A:1,50', 'A:50,200']);
    expect(metrics.stats.evictedSymbols).toBe(1);
    expect(metrics.stats.symbols).toBe(2);
    expect(metrics.stats.barsHeld).toBe(3);
  });
});

describe('ringWindow (property)', () => {
  it('every sequence is exactly the last L accepted bars of its symbol, in order, ending at the new bar', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.integer({ min: 0, max: 40 })), {
          maxLength: 120,
        }),
        (L, bars) => {
          const acks = bars.map(() => vi.fn());
          const got: Sequence[] = [];
          from(bars.map(([s, t], i) => joined(s, t, 0, acks[i])))
            .pipe(ringWindow({ seqLen: L, idleEvictMs: 1e9 }))
            .subscribe((s) => {
              got.push(s);
              s.ack();
            });
          const accepted = new Map<string, number[]>();
          const expected: string[] = [];
          for (const [s, t] of bars) {
            const list = accepted.get(s) ?? [];
            if (list.length > 0 && t <= (list[list.length - 1] as number)) continue;
            list.push(t);
            accepted.set(s, list);
            if (list.length >= L) expected.push(`${s}:${list.slice(-L).join(',')}`);
          }
          expect(got.map(describeSeq)).toEqual(expected);
          // Every input is released exactly once: by the window or by the consumer.
          for (const a of acks) expect(a).toHaveBeenCalledTimes(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
