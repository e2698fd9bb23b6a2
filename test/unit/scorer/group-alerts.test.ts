import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { alertPolicy } from '../../../services/scorer/alert-policy.js';
import { groupAlerts } from '../../../services/scorer/group-alerts.js';
import type { Emission } from '../../../services/scorer/scored-item.js';
import { ladderFromThresholds } from '../../../services/scorer/severity-ladder.js';
import { item } from './scored-item-fixture.js';

const ladder = ladderFromThresholds({ INFO: 0.3, WARNING: 0.5, CRITICAL: 0.8 }, 0.8);
const policy = () =>
  alertPolicy({
    ladders: () => ({ risk: ladder, anomaly: ladder }),
    cooldownMs: 0,
    varHorizonBars: 5,
    varBreachEnabled: false,
    dedupeCapacity: 1000,
    now: () => 0,
  });

const describeEmission = (e: Emission) => ({
  scores: e.scores.length,
  alerts: [...e.riskAlerts, ...e.anomalyAlerts].map(
    (a) =>
      `${a.symbol}:${'alertType' in a ? a.alertType : 'ANOMALY'}:${a.severity}${a.symbols.length ? `[${a.symbols.join(',')}]` : ''}`,
  ),
  grouped: e.suppressed.grouped ?? 0,
  acks: e.acks.length,
});

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('groupAlerts', () => {
  it('turns many symbols firing in one bar into one market-wide alert, across batches', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b|', {
        a: [item({ symbol: 'A', p: 0.6 }), item({ symbol: 'B', p: 0.9 })],
        b: [item({ symbol: 'C', p: 0.6 }), item({ symbol: 'D', p: 0.1 })],
      });
      const out = input.pipe(
        policy(),
        groupAlerts({ minSymbols: 3, holdMs: 5, explanationTopK: 3, now: () => 0 }),
        map(describeEmission),
      );
      // Scores pass at once without acks; completion flushes the held group with every ack.
      expectObservable(out).toBe('a-b(x|)', {
        a: { scores: 2, alerts: [], grouped: 0, acks: 0 },
        b: { scores: 2, alerts: [], grouped: 0, acks: 0 },
        x: { scores: 0, alerts: ['*:MARKET_WIDE:CRITICAL[A,B,C]'], grouped: 3, acks: 4 },
      });
    });
  });

  it('flushes the group of each bar holdMs after it opened: grouped when enough symbols, individual otherwise', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b----------|', {
        a: [item({ symbol: 'A', p: 0.6 }), item({ symbol: 'B', p: 0.9 })],
        b: [item({ symbol: 'C', p: 0.6, barTime: 1 }), item({ symbol: 'Z', p: 0.6, barTime: 2 })],
      });
      const out = input.pipe(
        policy(),
        groupAlerts({ minSymbols: 3, holdMs: 5, explanationTopK: 3, now: () => 0 }),
        map(describeEmission),
      );
      // Batch b feeds both bars' groups, so its acks wait for the later flush (frame 7).
      expectObservable(out).toBe('a-b--x-y-----|', {
        a: { scores: 2, alerts: [], grouped: 0, acks: 0 },
        b: { scores: 2, alerts: [], grouped: 0, acks: 0 },
        x: { scores: 0, alerts: ['*:MARKET_WIDE:CRITICAL[A,B,C]'], grouped: 3, acks: 2 },
        y: { scores: 0, alerts: ['Z:RISK_EVENT:WARNING'], grouped: 0, acks: 2 },
      });
    });
  });

  it('passes emissions without alerts straight through with their acks', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a|', { a: [item({ symbol: 'A' })] });
      const out = input.pipe(
        policy(),
        groupAlerts({ minSymbols: 2, holdMs: 5, explanationTopK: 3, now: () => 0 }),
        map(describeEmission),
      );
      expectObservable(out).toBe('a|', { a: { scores: 1, alerts: [], grouped: 0, acks: 1 } });
    });
  });

  it('releases an input ack only after every group its alerts went to has flushed', () => {
    const acks: string[] = [];
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const input = cold('a 9ms |', {
        a: [item({ symbol: 'A', p: 0.9, anomaly: 0.9, acks })],
      });
      const out = input.pipe(
        policy(),
        groupAlerts({ minSymbols: 5, holdMs: 3, explanationTopK: 3, now: () => 0 }),
        map((e) => e.acks.length),
      );
      expectObservable(out).toBe('a 2ms (bc) 3ms |', { a: 0, b: 0, c: 1 });
      flush();
    });
  });
});
