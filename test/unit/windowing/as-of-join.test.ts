import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { type AsOfJoinOptions, asOfJoin } from '../../../services/windowing/as-of-join.js';
import type { FeatureEvent, JoinEvent } from '../../../services/windowing/windowing-events.js';
import { WindowingMetrics } from '../../../services/windowing/windowing-metrics.js';
import { barEv, macroEv, makeBar, makeMacro, makeSentiment, sentEv } from './windowing-fixtures.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const describeOut = (e: JoinEvent): string =>
  e.kind === 'joined'
    ? `${e.joined.bar.symbol}@${e.joined.bar.barEnd} s=${(e.joined.sentiment[0] as number).toFixed(4)} m=${e.joined.macro[0]}`
    : `${e.kind}:${e.market.join(',')}`;

function options(scheduler: TestScheduler, metrics: WindowingMetrics, over: Partial<AsOfJoinOptions> = {}) {
  return {
    indicators: ['VIX'],
    joinIdleMs: 1_000,
    joinMaxWaitMs: 5_000,
    joinMaxHeld: 100,
    idleEvictMs: 1e12,
    sentimentHistoryPerKey: 64,
    awaitMacroBootstrap: false,
    scheduler,
    metrics,
    ...over,
  } satisfies AsOfJoinOptions;
}

// Streams that never hold anything back: macro and market-wide sentiment far ahead in event time.
const ahead = {
  m: macroEv(makeMacro('VIX', 10, 1)),
  n: macroEv(makeMacro('VIX', 1_000_000, 7)),
  w: sentEv(makeSentiment('*', 1_000_000, 0.1), 'global'),
};

describe('asOfJoin (marbles)', () => {
  it('holds a bar until its sentiment partition passes its end, then joins without look-ahead', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('m n w 7ms b 9ms s 9ms u', {
        ...ahead,
        b: barEv(makeBar('A', 20)),
        s: sentEv(makeSentiment('A', 15, 0.5)),
        u: sentEv(makeSentiment('A', 25, -0.9)),
      });
      const out = src.pipe(asOfJoin(options(ts, metrics)), map(describeOut));
      // VIX released at 1_000_000 and A's item at 25 are both after the bar: not used.
      expectObservable(out).toBe('30ms x', { x: `A@20 s=${(0.5 * 0.5 ** (5 / 1_000)).toFixed(4)} m=1` });
    });
    expect(metrics.stats.joinIncomplete).toBe(0);
    expect(metrics.stats.joinPending).toBe(0);
  });

  it('stops waiting for a stream once it has been silent for joinIdleMs (idle, not incomplete)', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('n w 8ms b 9ms s', {
        ...ahead,
        b: barEv(makeBar('A', 20)),
        s: sentEv(makeSentiment('A', 15, 0.5, { halfLifeMs: 1e15 })),
      });
      const out = src.pipe(asOfJoin(options(ts, metrics, { joinIdleMs: 50 })), map(describeOut));
      // The sentiment partition's last record came at 20: idle at 70.
      expectObservable(out).toBe('70ms x', { x: 'A@20 s=0.5000 m=0' });
    });
    expect(metrics.stats.joinIncomplete).toBe(0);
  });

  it('joins anyway after joinMaxWaitMs while a stream keeps lagging, and counts it', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('n w 8ms b 9ms s 19ms s 19ms s 19ms s 19ms s 19ms s', {
        ...ahead,
        b: barEv(makeBar('A', 500)),
        s: sentEv(makeSentiment('B', 5, 0.5)),
      });
      const out = src.pipe(
        asOfJoin(options(ts, metrics, { joinIdleMs: 50, joinMaxWaitMs: 100 })),
        map(describeOut),
      );
      expectObservable(out).toBe('110ms x', { x: 'A@500 s=0.0000 m=0' });
    });
    expect(metrics.stats.joinIncomplete).toBe(1);
  });

  it('emits nothing before the macro table is bootstrapped, whatever the waits', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('b 99ms (k|)', {
        b: barEv(makeBar('A', 20)),
        k: { kind: 'macro-bootstrapped', timedOut: false },
      });
      const out = src.pipe(
        asOfJoin(options(ts, metrics, { joinIdleMs: 10, joinMaxWaitMs: 20, awaitMacroBootstrap: true })),
        map(describeOut),
      );
      expectObservable(out).toBe('100ms (x|)', { x: 'A@20 s=0.0000 m=0' });
    });
    expect(metrics.stats.macroBootstrapped).toBe(true);
  });

  it('releases the oldest held bar when joinMaxHeld is exceeded', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('a b c', {
        a: barEv(makeBar('A', 20)),
        b: barEv(makeBar('B', 20)),
        c: barEv(makeBar('C', 20)),
      });
      const out = src.pipe(asOfJoin(options(ts, metrics, { joinMaxHeld: 2 })), map(describeOut));
      expectObservable(out).toBe('2ms x 997ms (yz)', {
        x: 'A@20 s=0.0000 m=0',
        y: 'B@20 s=0.0000 m=0',
        z: 'C@20 s=0.0000 m=0',
      });
    });
    expect(metrics.stats.joinIncomplete).toBe(1);
  });

  it("keeps a symbol's bars in arrival order while one waits", () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('n w a b 6ms s 9ms t', {
        ...ahead,
        a: barEv(makeBar('A', 20)),
        b: barEv(makeBar('A', 40)),
        s: sentEv(makeSentiment('Z', 30, 0)),
        t: sentEv(makeSentiment('Z', 45, 0)),
      });
      const out = src.pipe(asOfJoin(options(ts, metrics)), map(describeOut));
      expectObservable(out).toBe('10ms x 9ms y', { x: 'A@20 s=0.0000 m=0', y: 'A@40 s=0.0000 m=0' });
    });
  });

  it('releases held bars of several symbols interleaved in arrival order when their stream catches up', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    ts.run(({ cold, expectObservable }) => {
      // A and X share a partition; their bars wait for its sentiment, which then jumps past all of
      // them. Symbol by symbol (A's bars, then X's) would run the partition's event clock ahead of X.
      const src = cold<FeatureEvent>('n w a x b y 4ms s', {
        ...ahead,
        a: barEv(makeBar('A', 20)),
        x: barEv(makeBar('X', 20)),
        b: barEv(makeBar('A', 40)),
        y: barEv(makeBar('X', 40)),
        s: sentEv(makeSentiment('Z', 100, 0)),
      });
      const out = src.pipe(asOfJoin(options(ts, metrics)), map(describeOut));
      expectObservable(out).toBe('10ms (wxyz)', {
        w: 'A@20 s=0.0000 m=0',
        x: 'X@20 s=0.0000 m=0',
        y: 'A@40 s=0.0000 m=0',
        z: 'X@40 s=0.0000 m=0',
      });
    });
  });

  it('drops held bars of revoked partitions without acking them, and passes the change on', () => {
    const ts = newScheduler();
    const metrics = new WindowingMetrics();
    const ack = vi.fn();
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('n w a b r', {
        ...ahead,
        a: barEv(makeBar('A', 20), 0, ack),
        b: barEv(makeBar('B', 20), 1),
        r: { kind: 'revoked', market: [0], sentiment: [0] },
      });
      const out = src.pipe(asOfJoin(options(ts, metrics, { joinIdleMs: 50 })), map(describeOut));
      // B's sentiment partition never spoke: idle 50 ms after the join started.
      expectObservable(out).toBe('4ms r 45ms y', { r: 'revoked:0', y: 'B@20 s=0.0000 m=0' });
    });
    expect(ack).not.toHaveBeenCalled();
    expect(metrics.stats.joinPending).toBe(0);
  });

  it('acks sentiment and macro records once folded in; bars carry their ack on', () => {
    const ts = newScheduler();
    const acks = { m: vi.fn(), s: vi.fn(), b: vi.fn() };
    ts.run(({ cold, expectObservable }) => {
      const src = cold<FeatureEvent>('m s b', {
        m: macroEv(makeMacro('VIX', 1e9, 1), acks.m),
        s: sentEv(makeSentiment('A', 1e9, 0.1), 0, acks.s),
        b: barEv(makeBar('A', 20), 0, acks.b),
      });
      const out = src.pipe(
        asOfJoin(options(ts, new WindowingMetrics(), { joinIdleMs: 0 })),
        map((e) => {
          if (e.kind !== 'joined') return 'x';
          e.ack();
          return 'j';
        }),
      );
      expectObservable(out).toBe('2ms j');
    });
    expect(acks.m).toHaveBeenCalledTimes(1);
    expect(acks.s).toHaveBeenCalledTimes(1);
    expect(acks.b).toHaveBeenCalledTimes(1);
  });
});
