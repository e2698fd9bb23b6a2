import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ScoredItem } from '../../../services/scorer/scored-item.js';
import { type VarAdaptationOptions, varAdaptation } from '../../../services/scorer/var-adaptation.js';
import { item } from './scored-item-fixture.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const options = (over: Partial<VarAdaptationOptions> = {}): VarAdaptationOptions => ({
  gamma: 0.5,
  maxLogScale: 3,
  horizonBars: () => 2,
  ...over,
});
const round = (x: number) => Number(x.toFixed(6));
/** var99 and es99 as served, rounded, per item of a batch. */
const served = (batch: ScoredItem[]) => batch.map((i) => [round(i.score.var99), round(i.score.es99)]);
const withVersion = (i: ScoredItem, modelVersion: string): ScoredItem => ({
  ...i,
  score: { ...i.score, modelVersion },
});

describe('varAdaptation (marbles)', () => {
  it("resolves each symbol's forecast H bars later with the H returns since, then scales", () => {
    newScheduler().run(({ cold, expectObservable }) => {
      // H = 2. The bar-1 forecast (-0.1) meets returns -0.08 + -0.05 = -0.13 at bar 3: a hit.
      // Bar 4 resolves bar 2's (-0.1 against -0.05 + 0.2): a miss, theta down by gamma * alpha.
      const input = cold('a-b-c-d|', {
        a: [item({ barTime: 1, var99: -0.1, es99: -0.2, logReturn: 0 })],
        b: [item({ barTime: 2, var99: -0.1, es99: -0.2, logReturn: -0.08 })],
        c: [item({ barTime: 3, var99: -0.1, es99: -0.2, logReturn: -0.05 })],
        d: [item({ barTime: 4, var99: -0.1, es99: -0.2, logReturn: 0.2 })],
      });
      const up = Math.exp(0.5 * 0.99);
      const down = Math.exp(0.5 * 0.99 - 0.5 * 0.01);
      expectObservable(input.pipe(varAdaptation(options()), map(served))).toBe('a-b-c-d|', {
        a: [[-0.1, -0.2]],
        b: [[-0.1, -0.2]],
        c: [[round(-0.1 * up), round(-0.2 * up)]],
        d: [[round(-0.1 * down), round(-0.2 * down)]],
      });
    });
  });

  it('pools symbols into one market-wide scale, in arrival order', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b|', {
        a: [
          item({ symbol: 'AAPL', barTime: 1, var99: -0.1, logReturn: 0 }),
          item({ symbol: 'JPM', barTime: 1, var99: -0.1, logReturn: 0 }),
        ],
        b: [
          // JPM's forecast resolves (horizon 1) as a hit; AAPL's, next, as a miss.
          item({ symbol: 'JPM', barTime: 2, var99: -0.1, logReturn: -0.3 }),
          item({ symbol: 'AAPL', barTime: 2, var99: -0.1, logReturn: 0.01 }),
        ],
      });
      const var99 = (batch: ScoredItem[]) => batch.map((i) => round(i.score.var99));
      expectObservable(input.pipe(varAdaptation(options({ horizonBars: () => 1 })), map(var99))).toBe(
        'a-b|',
        {
          a: [-0.1, -0.1],
          b: [round(-0.1 * Math.exp(0.5 * 0.99)), round(-0.1 * Math.exp(0.5 * 0.99 - 0.5 * 0.01))],
        },
      );
    });
  });

  it('starts again from the head as trained when the risk model changes', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c|', {
        a: [item({ barTime: 1, var99: -0.1 })],
        b: [item({ barTime: 2, var99: -0.1, logReturn: -1 })],
        c: [withVersion(item({ barTime: 3, var99: -0.1, logReturn: -1 }), 'risk-2')],
      });
      const var99 = (batch: ScoredItem[]) => batch.map((i) => round(i.score.var99));
      expectObservable(input.pipe(varAdaptation(options({ horizonBars: () => 1 })), map(var99))).toBe(
        'a-b-c|',
        { a: [-0.1], b: [round(-0.1 * Math.exp(0.495))], c: [-0.1] },
      );
    });
  });

  it('keeps its state per subscription', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b|', {
        a: [item({ barTime: 1, var99: -0.1 })],
        b: [item({ barTime: 2, var99: -0.1, logReturn: -1 })],
      });
      const out = input.pipe(
        varAdaptation(options({ horizonBars: () => 1 })),
        map((b) => round(b[0]?.score.var99 ?? 0)),
      );
      const expected = { a: -0.1, b: round(-0.1 * Math.exp(0.495)) };
      expectObservable(out).toBe('a-b|', expected);
      expectObservable(out).toBe('a-b|', expected);
    });
  });

  it('reports the scales once per batch', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const seen: number[] = [];
      const input = cold('a-b|', {
        a: [item({ symbol: 'AAPL', barTime: 1 }), item({ symbol: 'JPM', barTime: 1 })],
        b: [
          item({ symbol: 'AAPL', barTime: 2, logReturn: -1 }),
          item({ symbol: 'JPM', barTime: 2, logReturn: -1 }),
        ],
      });
      const out = input.pipe(
        varAdaptation(options({ horizonBars: () => 1, onScale: (s) => void seen.push(round(s.var99)) })),
        map((b) => b.length),
      );
      expectObservable(out).toBe('a-b|', { a: 2, b: 2 });
      flush();
      expect(seen).toEqual([1, round(Math.exp(2 * 0.5 * 0.99))]);
    });
  });

  it('with gamma 0 passes batches through untouched', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = [item({ barTime: 1, var99: -0.1 })];
      const b = [item({ barTime: 2, var99: -0.1, logReturn: -1 })];
      expectObservable(cold('a-b|', { a, b }).pipe(varAdaptation(options({ gamma: 0 })))).toBe('a-b|', {
        a,
        b,
      });
    });
  });
});
