import fc from 'fast-check';
import { from, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { MacroFeature, SentimentFeature } from '../../../services/shared/contracts/records.js';
import { asOfJoin } from '../../../services/windowing/as-of-join.js';
import {
  MARKET_WIDE_KEY,
  macroVectorAsOf,
  sentimentVectorAsOf,
} from '../../../services/windowing/feature-join.js';
import { MacroTable } from '../../../services/windowing/macro-table.js';
import { SentimentBook } from '../../../services/windowing/sentiment-book.js';
import type { FeatureEvent, JoinedEvent } from '../../../services/windowing/windowing-events.js';
import { barEv, macroEv, makeBar, makeMacro, makeSentiment, sentEv } from './windowing-fixtures.js';

const SYMBOLS = ['A', 'B', 'C'];
const PARTITION: Record<string, number> = { A: 0, B: 1, C: 0 };
const IND = ['VIX', 'CPI'];

type Item =
  | { kind: 'bar'; symbol: string; t: number }
  | { kind: 'sent'; symbol: string; t: number; v: number }
  | { kind: 'macro'; id: string; t: number; lag: number; v: number };

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.record({
    kind: fc.constant('bar' as const),
    symbol: fc.constantFrom(...SYMBOLS),
    t: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('sent' as const),
    symbol: fc.constantFrom(...SYMBOLS, MARKET_WIDE_KEY),
    t: fc.integer({ min: 0, max: 200 }),
    v: fc.double({ min: -1, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('macro' as const),
    id: fc.constantFrom(...IND),
    t: fc.integer({ min: 0, max: 200 }),
    lag: fc.integer({ min: 0, max: 50 }),
    v: fc.double({ min: -3, max: 3, noNaN: true }),
  }),
);

const toEvent = (it: Item, n: number): FeatureEvent => {
  if (it.kind === 'bar') return barEv(makeBar(it.symbol, it.t), PARTITION[it.symbol]);
  if (it.kind === 'sent') {
    const f = makeSentiment(it.symbol, it.t, it.v, { id: `${it.symbol}|${it.t}|${n}`, halfLifeMs: 37 });
    return sentEv(f, it.symbol === MARKET_WIDE_KEY ? 'global' : (PARTITION[it.symbol] as number));
  }
  return macroEv(makeMacro(it.id, it.t, it.v, { periodEnd: it.t - it.lag }));
};

describe('as-of join: no look-ahead (property)', () => {
  it('every joined vector equals the join over only what was known and published at or before the bar end', () => {
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.boolean(),
        (items, bootstrapAt, waits) => {
          const events = items.map(toEvent);
          events.splice(Math.min(bootstrapAt, events.length), 0, {
            kind: 'macro-bootstrapped',
            timedOut: false,
          });
          // A scheduler that is never flushed: time stands still, so only watermarks, the held cap
          // and the end of input release bars (or nothing ever waits, with joinIdleMs 0).
          const frozen = new TestScheduler(() => {});
          let seen = 0;
          const joined: { e: JoinedEvent; known: number }[] = [];
          from(events)
            .pipe(
              tap(() => seen++),
              asOfJoin({
                indicators: IND,
                joinIdleMs: waits ? 1e9 : 0,
                joinMaxWaitMs: 1e9,
                joinMaxHeld: 5,
                idleEvictMs: 1e12,
                sentimentHistoryPerKey: 1e9,
                scheduler: frozen,
              }),
            )
            .subscribe((e) => {
              if (e.kind === 'joined') joined.push({ e, known: seen });
            });

          expect(joined).toHaveLength(items.filter((i) => i.kind === 'bar').length);
          for (const { e, known } of joined) {
            const end = e.joined.bar.barEnd;
            const table = new MacroTable(IND);
            const book = new SentimentBook();
            for (const ev of events.slice(0, known)) {
              if (ev.kind === 'macro' && ev.feature.releaseTime <= end)
                table.upsert(ev.feature as MacroFeature);
              if (ev.kind === 'sentiment' && ev.feature.asOf <= end)
                book.upsert(ev.feature as SentimentFeature);
            }
            expect(e.joined.macro).toEqual(macroVectorAsOf(table, IND, end));
            expect(e.joined.sentiment).toEqual(sentimentVectorAsOf(book, e.joined.bar.symbol, end));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
