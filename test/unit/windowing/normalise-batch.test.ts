import fc from 'fast-check';
import { from, map, of, Subject, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../../../services/shared/contracts/feature-lists.js';
import type { ScalerParams } from '../../../services/shared/contracts/scaler.js';
import type { JoinedBar, SequenceBatch } from '../../../services/shared/contracts/sequence-batch.js';
import { buildBatch, microBatch } from '../../../services/windowing/micro-batch.js';
import {
  assertScalerMatches,
  normalise,
  RUNNING_SCALER_ID,
  type ScalerUpdate,
} from '../../../services/windowing/normalise.js';
import type { RunningStatsSnapshot } from '../../../services/windowing/running-stats.js';
import type { ScaledSequence, Sequence } from '../../../services/windowing/windowing-events.js';
import { WindowingMetrics } from '../../../services/windowing/windowing-metrics.js';
import { makeBar } from './windowing-fixtures.js';

const IND = ['VIX'];
const F = MARKET_FEATURES.length;
const M = macroFeatureNames(IND).length;
const S = SENTIMENT_FEATURES.length;

const jb = (symbol: string, barEnd: number, macro = [1, 2], sentiment = [0.1, 1, 0, 0.2, 2]): JoinedBar => ({
  bar: makeBar(symbol, barEnd),
  macro,
  sentiment,
});
const seqOf = (symbol: string, ends: number[], ack = () => {}): Sequence => ({
  symbol,
  partition: 0,
  bars: ends.map((e) => jb(symbol, e)),
  ack,
});

function scaler(mean: number, std: number, clip = 3): ScalerParams {
  const g = (names: readonly string[]) => ({
    names: [...names],
    mean: names.map(() => mean),
    std: names.map(() => std),
  });
  return {
    market: g(MARKET_FEATURES),
    macro: g(macroFeatureNames(IND)),
    sentiment: g(SENTIMENT_FEATURES),
    clip,
  };
}

const scaled = (symbol: string, scalerId = 'v1', ack = () => {}): ScaledSequence => ({
  symbol,
  last: jb(symbol, 10),
  market: new Float32Array(2 * F),
  macro: new Float32Array(M),
  sentiment: new Float32Array(S),
  scalerId,
  ack,
});
const rows = (b: SequenceBatch) => `${b.meta.map((m) => m.symbol).join('')}/${b.scalerId}`;

describe('normalise (marbles)', () => {
  it('scales with running statistics until a bundle scaler arrives, then with the bundle from the next sequence', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const withMacro = (symbol: string, vix: number): Sequence => ({
      symbol,
      partition: 0,
      bars: [jb(symbol, 1, [vix, 0]), jb(symbol, 2, [vix, 0])],
      ack: () => {},
    });
    ts.run(({ cold, hot, expectObservable }) => {
      const seqs = cold<Sequence>('a b - c', {
        a: withMacro('A', 1),
        b: withMacro('B', 3),
        c: withMacro('A', 3),
      });
      const scaler$ = hot<ScalerUpdate | null>('--s', { s: { id: 'v1', params: scaler(1, 2) } });
      const out = seqs.pipe(
        normalise({ indicators: IND, clip: 5, scaler$, scheduler: ts }),
        map((s) => `${s.scalerId}:${s.macro[0]?.toFixed(3)}`),
      );
      // Running: after 1 the mean is 1 (z 0); after 1, 3 the mean is 2 and the std sqrt(2) (z 0.707).
      // Bundle: (3 - 1) / 2 = 1.
      expectObservable(out).toBe('a b - c', { a: 'running:0.000', b: 'running:0.707', c: 'v1:1.000' });
    });
  });

  it('lays market out [L, F] bar by bar and scales macro/sentiment of the newest bar', () => {
    const update: ScalerUpdate = { id: 'v1', params: scaler(0.5, 0.25, 100) };
    const seq = seqOf('A', [5, 6, 7]);
    let out: ScaledSequence | undefined;
    of(seq)
      .pipe(normalise({ indicators: IND, clip: 5, scaler$: of(update) }))
      .subscribe((s) => {
        out = s;
      });
    const o = out as ScaledSequence;
    expect(o.market).toHaveLength(3 * F);
    for (let t = 0; t < 3; t++)
      for (let f = 0; f < F; f++) {
        const x = (seq.bars[t] as JoinedBar).bar[MARKET_FEATURES[f] as (typeof MARKET_FEATURES)[number]];
        expect(o.market[t * F + f]).toBe(Math.fround((x - 0.5) / 0.25));
      }
    expect([...o.macro]).toEqual([2, 6]);
    expect(o.sentiment[1]).toBe(2);
    expect(o.scalerId).toBe('v1');
  });

  it('continues running statistics from a snapshot and saves them periodically and on stop', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const saved: RunningStatsSnapshot[] = [];
    const initialStats: RunningStatsSnapshot = {
      version: 1,
      market: {
        names: [...MARKET_FEATURES],
        n: MARKET_FEATURES.map(() => 0),
        mean: MARKET_FEATURES.map(() => 0),
        m2: MARKET_FEATURES.map(() => 0),
      },
      macro: { names: macroFeatureNames(IND), n: [10, 10], mean: [3, 2], m2: [36, 0] },
      sentiment: {
        names: [...SENTIMENT_FEATURES],
        n: SENTIMENT_FEATURES.map(() => 0),
        mean: SENTIMENT_FEATURES.map(() => 0),
        m2: SENTIMENT_FEATURES.map(() => 0),
      },
    };
    ts.run(({ cold, expectObservable }) => {
      const seqs = cold<Sequence>('a 99ms b', { a: seqOf('A', [1, 2]), b: seqOf('A', [2, 3]) });
      const out = seqs.pipe(
        normalise({
          indicators: IND,
          clip: 5,
          initialStats,
          saveStats: (s) => saved.push(s),
          saveEveryMs: 50,
          scheduler: ts,
        }),
        map((s) => s.macro[0]?.toFixed(3)),
      );
      // After adding 1 to n=10, mean 3, m2 36: mean 2.818.., sample std sqrt((36 + 10/11*4)/10) = 1.998..
      expectObservable(out, '^ 150ms !').toBe('a 99ms b', {
        a: ((1 - (3 - 2 / 11)) / Math.sqrt((36 + (10 / 11) * 4) / 10)).toFixed(3),
        b: expect.any(String),
      });
    });
    expect(saved).toHaveLength(2);
    expect(saved[1]?.macro.n).toEqual([12, 12]);
  });

  it('refuses a bundle scaler whose feature lists differ from the pipeline', () => {
    const bad = scaler(0, 1);
    bad.macro.names = ['US.CPI.YOY.zScore', 'US.CPI.YOY.change'];
    expect(() => assertScalerMatches(bad, IND)).toThrow(
      /scaler macro features: expected \[VIX.zScore, VIX.change\]/,
    );
    expect(() => assertScalerMatches(scaler(0, 1), IND)).not.toThrow();
  });
});

describe('microBatch (marbles)', () => {
  const opts = (ts: TestScheduler, over = {}) => ({
    maxSize: 2,
    maxDelayMs: 10,
    indicators: IND,
    scheduler: ts,
    ...over,
  });

  it('closes a batch at maxSize or maxDelayMs after its first sequence', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const src = cold<ScaledSequence>('a b c 19ms d', {
        a: scaled('A'),
        b: scaled('B'),
        c: scaled('C'),
        d: scaled('D'),
      });
      expectObservable(src.pipe(microBatch(opts(ts)), map(rows))).toBe('- x 10ms y 19ms z', {
        x: 'AB/v1',
        y: 'C/v1',
        z: 'D/v1',
      });
    });
  });

  it('never mixes scalers in a batch and flushes what is open when the input ends', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const src = cold<ScaledSequence>('a b c|', {
        a: scaled('A', RUNNING_SCALER_ID),
        b: scaled('B', 'v2'),
        c: scaled('C', 'v2'),
      });
      expectObservable(src.pipe(microBatch(opts(ts, { maxSize: 5 })), map(rows))).toBe('-x-(y|)', {
        x: 'A/running',
        y: 'BC/v2',
      });
    });
  });

  it('counts sequences outstanding until the consumer acks them, each ack once', () => {
    const metrics = new WindowingMetrics();
    const acks = [vi.fn(), vi.fn(), vi.fn()];
    const input = new Subject<ScaledSequence>();
    const batches: SequenceBatch[] = [];
    input
      .pipe(microBatch({ maxSize: 3, maxDelayMs: 1e9, indicators: IND, metrics }))
      .subscribe((b) => batches.push(b));
    ['A', 'B', 'C'].forEach((s, i) => {
      input.next(scaled(s, 'v1', acks[i]));
    });
    expect(metrics.stats.sequencesOutstanding).toBe(3);
    const [batch] = batches as [SequenceBatch];
    batch.meta[0]?.ack();
    batch.meta[0]?.ack();
    batch.meta[2]?.ack();
    expect(metrics.stats.sequencesOutstanding).toBe(1);
    expect(acks.map((a) => a.mock.calls.length)).toEqual([1, 0, 1]);
    expect(metrics.stats.batchesOut).toBe(1);
  });
});

describe('tensor layout (property)', () => {
  it('element [b, t, f] is the scaled feature f of the t-th bar of sequence b; macro/sentiment rows are the newest bar', () => {
    const finite = fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.tuple(
            fc.array(finite, { minLength: F, maxLength: F }),
            fc.array(finite, { minLength: M, maxLength: M }),
            fc.array(finite, { minLength: S, maxLength: S }),
          ),
          { minLength: 20, maxLength: 20 },
        ),
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        (B, L, values, mean, std, clip) => {
          const bars = values.map(([mk, mc, se], i): JoinedBar => {
            const bar = makeBar(`S${i}`, 1_000 + i);
            MARKET_FEATURES.forEach((f, k) => {
              bar[f] = mk[k] as number;
            });
            return { bar, macro: mc, sentiment: se };
          });
          const seqs: Sequence[] = Array.from({ length: B }, (_, b) => ({
            symbol: `S${b}`,
            partition: 0,
            bars: Array.from({ length: L }, (_, t) => bars[(b * 3 + t) % bars.length] as JoinedBar),
            ack: () => {},
          }));
          const params = scaler(mean, std, clip);
          let scaledSeqs: ScaledSequence[] = [];
          from(seqs)
            .pipe(normalise({ indicators: IND, clip: 5, scaler$: of({ id: 'p', params }) }), toArray())
            .subscribe((x) => {
              scaledSeqs = x;
            });
          const batch = buildBatch(scaledSeqs, macroFeatureNames(IND));
          const z = (x: number) => Math.fround(Math.max(-clip, Math.min(clip, (x - mean) / std)));
          expect([
            batch.size,
            batch.seqLen,
            batch.marketWidth,
            batch.macroWidth,
            batch.sentimentWidth,
          ]).toEqual([B, L, F, M, S]);
          expect(batch.market).toHaveLength(B * L * F);
          for (let b = 0; b < B; b++) {
            const seq = seqs[b] as Sequence;
            for (let t = 0; t < L; t++)
              for (let f = 0; f < F; f++) {
                const x = (seq.bars[t] as JoinedBar).bar[
                  MARKET_FEATURES[f] as (typeof MARKET_FEATURES)[number]
                ];
                expect(batch.market[(b * L + t) * F + f]).toBe(z(x));
              }
            const newest = seq.bars[L - 1] as JoinedBar;
            for (let m = 0; m < M; m++) expect(batch.macro[b * M + m]).toBe(z(newest.macro[m] as number));
            for (let s = 0; s < S; s++)
              expect(batch.sentiment[b * S + s]).toBe(z(newest.sentiment[s] as number));
            const meta = batch.meta[b];
            expect(meta?.symbol).toBe(seq.symbol);
            expect(meta?.barTime).toBe(newest.bar.barEnd);
            expect(meta?.lastBar).toBe(newest.bar);
            expect(meta?.macro['VIX.change']).toBe(newest.macro[1]);
            expect(meta?.sentiment.marketIntensity).toBe(newest.sentiment[4]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
