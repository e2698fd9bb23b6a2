import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { ArrivalHeap } from './arrival-heap.js';
import { joinBar } from './feature-join.js';
import { MacroTable } from './macro-table.js';
import { PartitionEventClocks } from './partition-event-clocks.js';
import { SentimentBook } from './sentiment-book.js';
import { StreamClock } from './stream-clock.js';
import type { BarEvent, FeatureEvent, JoinEvent } from './windowing-events.js';
import { WindowingMetrics } from './windowing-metrics.js';

export interface AsOfJoinOptions {
  /** Macro indicators in tensor order. */
  indicators: readonly string[];
  /** A stream silent this long (wall clock) holds no bar back. */
  joinIdleMs: number;
  /** A bar waits at most this long (wall clock) for lagging streams, then joins with what is known. */
  joinMaxWaitMs: number;
  /** At most this many bars wait; beyond it the oldest joins with what is known. */
  joinMaxHeld: number;
  /** Sentiment keys whose symbol had no bar and no news for this long (its partition's event time) are dropped. */
  idleEvictMs: number;
  sentimentHistoryPerKey: number;
  /** Hold every bar until the macro table reports `macro-bootstrapped` (default true). */
  awaitMacroBootstrap?: boolean;
  scheduler?: SchedulerLike;
  metrics?: WindowingMetrics;
}

interface Held {
  ev: BarEvent;
  arrivedAt: number;
  done: boolean;
  /** Arrival order across every symbol. */
  seq: number;
}

/**
 * Joins each closed bar with the macro vector and the sentiment state as of the bar's END time
 * (see feature-join.ts: the lookups themselves never use anything published after it).
 *
 * Arrival order is not event order: a bar may arrive before the sentiment item or macro release
 * that precedes its end, because they travel on other topics and partitions. So a bar is held
 * until each stream it depends on has passed its end: the macro table (bootstrapped, then by
 * watermark), the market-wide sentiment reader, and the sentiment partition co-partitioned with
 * the bar's market partition. A stream passes when its watermark (largest event time seen) is
 * beyond barEnd or when it has been silent for joinIdleMs (idle, not late). Waiting is bounded by
 * joinMaxWaitMs and joinMaxHeld; a bar released by either bound is joined with what is known and
 * counted in risk_windowing_join_incomplete_total. Bars leave in arrival order within a symbol,
 * and interleaved in arrival order across symbols.
 *
 * Sentiment and macro records are acked as soon as they are folded into state (the topics can
 * rebuild it); bars carry their ack downstream.
 */
export function asOfJoin(options: AsOfJoinOptions): OperatorFunction<FeatureEvent, JoinEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? new WindowingMetrics();
  const stats = metrics.stats;
  const { indicators, joinIdleMs, joinMaxWaitMs, joinMaxHeld, idleEvictMs } = options;

  return (source) =>
    new Observable<JoinEvent>((subscriber) => {
      const startedAt = scheduler.now();
      const table = new MacroTable(indicators);
      const book = new SentimentBook(options.sentimentHistoryPerKey);
      let bootstrapped = options.awaitMacroBootstrap === false;
      const macroClock = new StreamClock(startedAt);
      const marketWideClock = new StreamClock(startedAt);
      const sentimentClocks = new Map<number, StreamClock>();
      /** Which sentiment partition a symbol's state came from, to drop it when that partition goes. */
      const keyPartition = new Map<string, number>();
      const pending = new Map<string, Held[]>();
      /** Every held bar in arrival order (done ones skipped), for the oldest deadline and the held cap. */
      const arrivals: Held[] = [];
      let arrivalsHead = 0;
      let arrivalSeq = 0;
      let held = 0;
      /** Last bar end and partition per symbol: a symbol with recent bars keeps its sentiment state. */
      const lastBar = new Map<string, { end: number; partition: number }>();
      const clocks = new PartitionEventClocks(idleEvictMs);
      let timer: Subscription | undefined;
      let timerAt = Number.POSITIVE_INFINITY;

      const clockOf = (partition: number): StreamClock => {
        let c = sentimentClocks.get(partition);
        if (!c) {
          c = new StreamClock(startedAt);
          sentimentClocks.set(partition, c);
        }
        return c;
      };

      const ready = (ev: BarEvent, now: number): boolean => {
        if (!bootstrapped) return false;
        const t = ev.bar.barEnd;
        return (
          macroClock.passes(t, now, joinIdleMs) &&
          marketWideClock.passes(t, now, joinIdleMs) &&
          clockOf(ev.partition).passes(t, now, joinIdleMs)
        );
      };

      const emit = (ev: BarEvent, waitedMs: number) => {
        metrics.joined(waitedMs);
        subscriber.next({
          kind: 'joined',
          joined: joinBar(ev.bar, table, book, indicators),
          partition: ev.partition,
          replay: ev.replay,
          ack: ev.ack,
        });
      };

      const releaseHead = (q: Held[], now: number, reason?: 'max_wait' | 'max_held' | 'end') => {
        const h = q.shift() as Held;
        h.done = true;
        held--;
        if (reason) metrics.joinIncomplete(reason);
        emit(h.ev, now - h.arrivedAt);
        if (q.length === 0) pending.delete(h.ev.bar.symbol);
      };

      const oldest = (): Held | undefined => {
        while (arrivalsHead < arrivals.length && (arrivals[arrivalsHead] as Held).done) arrivalsHead++;
        if (arrivalsHead > 1024 && arrivalsHead * 2 > arrivals.length) {
          arrivals.splice(0, arrivalsHead);
          arrivalsHead = 0;
        }
        return arrivals[arrivalsHead];
      };

      const release = () => {
        const now = scheduler.now();
        // Across symbols in arrival order: when a lagging stream catches up, a partition's bars
        // leave interleaved as they came, not one symbol's months before the next symbol's, which
        // would run the partition's event clock ahead and evict the later symbol's window as idle.
        // Within a symbol only its queue head may leave, so its bars stay in order.
        // A merge of the per-symbol queues by arrival: a symbol whose head must wait blocks only
        // its own later bars.
        const heads = new ArrivalHeap<Held>();
        for (const q of pending.values()) heads.push(q[0] as Held);
        for (let h = heads.pop(); h !== undefined; h = heads.pop()) {
          const q = pending.get(h.ev.bar.symbol) as Held[];
          if (ready(h.ev, now)) releaseHead(q, now);
          else if (bootstrapped && now - h.arrivedAt >= joinMaxWaitMs) releaseHead(q, now, 'max_wait');
          else continue;
          if (q.length > 0) heads.push(q[0] as Held);
        }
        stats.joinPending = held;
        arm(now);
      };

      /** Schedules the next re-evaluation: the oldest bar's deadline or a blocking stream turning idle. */
      const arm = (now: number) => {
        const first = oldest();
        if (!first || !bootstrapped) {
          timer?.unsubscribe();
          timer = undefined;
          timerAt = Number.POSITIVE_INFINITY;
          return;
        }
        let next = first.arrivedAt + joinMaxWaitMs;
        const consider = (c: StreamClock) => {
          if (!c.isIdle(now, joinIdleMs)) next = Math.min(next, c.lastArrival + joinIdleMs);
        };
        consider(macroClock);
        consider(marketWideClock);
        for (const q of pending.values()) consider(clockOf((q[0] as Held).ev.partition));
        if (timer && timerAt <= next && timerAt > now) return;
        timer?.unsubscribe();
        timerAt = next;
        timer = scheduler.schedule(
          () => {
            timer = undefined;
            timerAt = Number.POSITIVE_INFINITY;
            release();
          },
          Math.max(0, next - now),
        );
      };

      const sweep = (partition: number, horizon: number) => {
        for (const [symbol, last] of lastBar)
          if (last.partition === partition && last.end < horizon && !pending.has(symbol))
            lastBar.delete(symbol);
        let evicted = 0;
        for (const [key, p] of keyPartition) {
          if (p !== partition || lastBar.has(key)) continue;
          if ((book.latestAsOf(key) ?? Number.NEGATIVE_INFINITY) < horizon) {
            book.delete(key);
            keyPartition.delete(key);
            evicted++;
          }
        }
        if (evicted > 0) metrics.evicted('sentiment', evicted);
      };

      const onBar = (ev: BarEvent) => {
        const now = scheduler.now();
        const { symbol, barEnd } = ev.bar;
        if (barEnd > (lastBar.get(symbol)?.end ?? Number.NEGATIVE_INFINITY))
          lastBar.set(symbol, { end: barEnd, partition: ev.partition });
        let q = pending.get(symbol);
        // With bars held, even a ready bar queues behind them (release keeps arrival order).
        if (held === 0 && ready(ev, now)) emit(ev, 0);
        else {
          if (!q) {
            q = [];
            pending.set(symbol, q);
          }
          const h: Held = { ev, arrivedAt: now, done: false, seq: arrivalSeq++ };
          q.push(h);
          arrivals.push(h);
          held++;
          while (held > joinMaxHeld) {
            const first = oldest() as Held;
            releaseHead(pending.get(first.ev.bar.symbol) as Held[], now, 'max_held');
          }
          stats.joinPending = held;
          arm(now);
        }
        const horizon = clocks.advance(ev.partition, barEnd);
        if (horizon !== undefined) sweep(ev.partition, horizon);
      };

      const updateStats = () => {
        stats.sentimentKeys = book.keyCount;
        stats.sentimentStates = book.size;
        stats.macroReleases = table.size;
        stats.macroBootstrapped = bootstrapped;
        stats.joinPending = held;
      };

      const onEvent = (e: FeatureEvent) => {
        switch (e.kind) {
          case 'bar':
            onBar(e);
            return;
          case 'sentiment': {
            const f = e.feature;
            book.upsert(f);
            const now = scheduler.now();
            if (e.partition === 'global') marketWideClock.advance(f.asOf, now);
            else {
              keyPartition.set(f.symbol, e.partition);
              clockOf(e.partition).advance(f.asOf, now);
            }
            e.ack();
            break;
          }
          case 'macro':
            table.upsert(e.feature);
            macroClock.advance(e.feature.releaseTime, scheduler.now());
            e.ack();
            break;
          case 'macro-tombstone':
            table.removeKey(e.key);
            e.ack();
            break;
          case 'macro-bootstrapped':
            bootstrapped = true;
            macroClock.caughtUp();
            break;
          case 'assigned': {
            const now = scheduler.now();
            for (const p of e.sentiment) sentimentClocks.set(p, new StreamClock(now));
            subscriber.next(e);
            break;
          }
          case 'revoked': {
            const market = new Set(e.market);
            for (const [symbol, q] of pending) {
              if (!market.has((q[0] as Held).ev.partition)) continue;
              // Not joined, not acked: the partition's new owner reads these bars again.
              for (const h of q) h.done = true;
              held -= q.length;
              pending.delete(symbol);
            }
            const sentiment = new Set(e.sentiment);
            for (const [key, p] of keyPartition) {
              if (!sentiment.has(p)) continue;
              book.delete(key);
              keyPartition.delete(key);
            }
            for (const p of e.sentiment) sentimentClocks.delete(p);
            for (const [symbol, last] of lastBar) if (market.has(last.partition)) lastBar.delete(symbol);
            for (const p of e.market) clocks.drop(p);
            subscriber.next(e);
            break;
          }
        }
        if (held > 0) release();
        updateStats();
      };

      const sub = source.subscribe({
        next: (e) => {
          try {
            onEvent(e);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          // Input ended: nothing more can arrive, so everything held is as complete as it will get.
          const now = scheduler.now();
          for (const q of [...pending.values()]) {
            while (q.length > 0) releaseHead(q, now, ready((q[0] as Held).ev, now) ? undefined : 'end');
          }
          updateStats();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
        stats.joinPending = 0;
      };
    });
}
