import { map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type AlertPolicyOptions, alertPolicy } from '../../../services/scorer/alert-policy.js';
import type { Emission } from '../../../services/scorer/scored-item.js';
import { ladderFromThresholds, SeverityState } from '../../../services/scorer/severity-ladder.js';
import { item } from './scored-item-fixture.js';

const ladder = ladderFromThresholds({ INFO: 0.3, WARNING: 0.5, CRITICAL: 0.8 }, 0.8);
const options = (over: Partial<AlertPolicyOptions> = {}): AlertPolicyOptions => ({
  ladders: () => ({ risk: ladder, anomaly: ladder }),
  cooldownMs: 0,
  varHorizonBars: 4,
  varBreachEnabled: true,
  dedupeCapacity: 100,
  now: () => 0,
  ...over,
});

const summary = (e: Emission) =>
  [
    ...e.riskAlerts.map((a) => `${a.alertType}:${a.severity}`),
    ...e.anomalyAlerts.map((a) => `ANOMALY:${a.severity}`),
    ...Object.entries(e.suppressed).map(([k, v]) => `-${k}${v}`),
  ].join(' ') || 'none';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('SeverityState (hysteresis)', () => {
  it('enters on the enter threshold, holds above exit, leaves below exit, re-enters', () => {
    const s = new SeverityState(ladder);
    expect(s.step(0.31).fire).toBe('INFO');
    expect(s.step(0.35)).toEqual({ fire: null, held: true });
    expect(s.step(0.26)).toEqual({ fire: null, held: false }); // between exit 0.24 and enter 0.3
    expect(s.level).toBe('INFO');
    expect(s.step(0.2).fire).toBe(null);
    expect(s.level).toBe(null);
    expect(s.step(0.3).fire).toBe('INFO');
  });

  it('escalates straight to the highest level reached and steps down rung by rung', () => {
    const s = new SeverityState(ladder);
    expect(s.step(0.9).fire).toBe('CRITICAL');
    expect(s.step(0.7).fire).toBe(null); // above CRITICAL exit 0.64
    expect(s.step(0.5).fire).toBe(null); // falls to WARNING, which is at its enter: held
    expect(s.level).toBe('WARNING');
    expect(s.step(0.85).fire).toBe('CRITICAL');
  });
});

describe('alertPolicy', () => {
  it('fires on escalation only and counts what hysteresis held back (marbles)', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d-e|', {
        a: [item({ p: 0.1, barTime: 1 })],
        b: [item({ p: 0.6, barTime: 2 })],
        c: [item({ p: 0.55, barTime: 3 })],
        d: [item({ p: 0.9, barTime: 4 })],
        e: [item({ p: 0.1, barTime: 5 })],
      });
      const out = input.pipe(alertPolicy(options()));
      expectObservable(out.pipe(mapSummary)).toBe('a-b-c-d-e|', {
        a: 'none',
        b: 'RISK_EVENT:WARNING',
        c: '-hysteresis1',
        d: 'RISK_EVENT:CRITICAL',
        e: 'none',
      });
    });
  });

  it('applies a cooldown per symbol and type, but lets escalations through', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d|', {
        a: [item({ p: 0.6, barTime: 10 })],
        b: [item({ p: 0.1, barTime: 11 })],
        c: [item({ p: 0.6, barTime: 12 })], // re-entry within cooldown
        d: [item({ p: 0.9, barTime: 13 })], // escalation passes
      });
      const out = input.pipe(alertPolicy(options({ cooldownMs: 5 })));
      expectObservable(out.pipe(mapSummary)).toBe('a-b-c-d|', {
        a: 'RISK_EVENT:WARNING',
        b: 'none',
        c: '-cooldown1',
        d: 'RISK_EVENT:CRITICAL',
      });
    });
  });

  it('dedupes alert ids seen before (a replay of the same bar under the same model)', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c|', {
        a: [item({ p: 0.6, barTime: 10 })],
        b: [item({ p: 0.0, barTime: 10 })],
        c: [item({ p: 0.6, barTime: 10 })],
      });
      expectObservable(input.pipe(alertPolicy(options()), mapSummary)).toBe('a-b-c|', {
        a: 'RISK_EVENT:WARNING',
        b: 'none',
        c: '-dedupe1',
      });
    });
  });

  it('flags a VaR breach against the previous bar forecast scaled to one bar', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      // var99 over 4 bars = -0.1 -> one bar -0.05; es99 -0.15 -> -0.075
      const input = cold('a-b-c|', {
        a: [item({ barTime: 1 })],
        b: [item({ barTime: 2, logReturn: -0.06 })],
        c: [item({ barTime: 3, logReturn: -0.08 })],
      });
      expectObservable(input.pipe(alertPolicy(options()), mapSummary)).toBe('a-b-c|', {
        a: 'none',
        b: 'VAR_BREACH:WARNING',
        c: 'VAR_BREACH:CRITICAL',
      });
    });
  });

  it('explains a VaR breach by the realised return and its excess over the VaR', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b|', {
        a: [item({ barTime: 1 })],
        b: [item({ barTime: 2, logReturn: -0.06 })],
      });
      expectObservable(
        input.pipe(
          alertPolicy(options()),
          map((e) => e.riskAlerts.map((a) => a.explanation[0])),
        ),
      ).toBe('a-b|', {
        a: [],
        b: [{ feature: 'logReturn', value: -0.06, contribution: expect.closeTo(-0.01, 12) }],
      });
    });
  });

  it('raises anomaly alerts with their explanation and context, and carries every ack', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a|', { a: [item({ anomaly: 0.95, symbol: 'MSFT' }), item({ symbol: 'IBM' })] });
      expectObservable(
        input.pipe(
          alertPolicy(options()),
          map((e) => ({
            s: summary(e),
            acks: e.acks.length,
            scores: e.scores.length,
            ctx: e.anomalyAlerts[0]?.macroContext,
          })),
        ),
      ).toBe('a|', { a: { s: 'ANOMALY:CRITICAL', acks: 2, scores: 2, ctx: { 'US.VIX.CLOSE.zScore': 1 } } });
    });
  });

  it('gives deterministic alert ids', () => {
    const out: Emission[] = [];
    of([item({ p: 0.9, barTime: 7, symbol: 'GE' })])
      .pipe(alertPolicy(options()))
      .subscribe((e) => out.push(e));
    expect(out[0]?.riskAlerts[0]?.alertId).toBe('GE|RISK_EVENT|7|risk-1');
  });
});

const mapSummary = map(summary);
