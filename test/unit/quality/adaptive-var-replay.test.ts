import { describe, expect, it } from 'vitest';
import { replayAdaptiveVar } from '../../../services/quality/adaptive-var-replay.js';

const params = { gamma: 0.5, maxLogScale: 3 };

describe('replayAdaptiveVar', () => {
  it('lets a forecast see only outcomes resolved by its own serving time', () => {
    // Two symbols, horizon 2 days: the day-0 forecasts resolve on day 2 (hits at both levels).
    const forecasts = [
      { servedAt: 0, resolvedAt: 2, outcome: -1 },
      { servedAt: 1, resolvedAt: 3, outcome: 0 },
      { servedAt: 2, resolvedAt: 4, outcome: 0 },
      { servedAt: 0, resolvedAt: 2, outcome: -1 },
      { servedAt: 1, resolvedAt: 3, outcome: 0 },
      { servedAt: 2, resolvedAt: 4, outcome: 0 },
    ];
    const head = { var95: new Float32Array(6).fill(-0.1), var99: new Float32Array(6).fill(-0.2) };
    const out = replayAdaptiveVar(forecasts, head, params);
    // Days 0 and 1: nothing resolved yet, the head as it is.
    for (const i of [0, 1, 3, 4]) {
      expect(out.var95[i]).toBeCloseTo(-0.1, 6);
      expect(out.var99[i]).toBeCloseTo(-0.2, 6);
    }
    // Day 2: both day-0 hits are known: theta95 = 2 * 0.5 * 0.95, theta99 = 2 * 0.5 * 0.99.
    expect(out.var95[2]).toBeCloseTo(-0.1 * Math.exp(0.95), 5);
    expect(out.var99[5]).toBeCloseTo(-0.2 * Math.exp(0.99), 5);
    // Outcomes known on days 3 and 4 come after the last forecast was served: nothing uses them.
    expect(out.finalScale95).toBeCloseTo(Math.exp(0.95), 10);
  });

  it('keeps VaR99 at or below VaR95 when the two scales pull apart', () => {
    // Outcomes between the two VaRs: hits for VaR95 only, so its scale grows and VaR99's shrinks.
    const forecasts = [0, 1, 2, 3, 4, 5].map((t) => ({ servedAt: t, resolvedAt: t + 1, outcome: -0.11 }));
    const head = { var95: new Float32Array(6).fill(-0.1), var99: new Float32Array(6).fill(-0.12) };
    const out = replayAdaptiveVar(forecasts, head, params);
    for (let i = 0; i < 6; i++) expect(out.var99[i]).toBeLessThanOrEqual(out.var95[i] as number);
    expect(out.var99[5]).toBe(out.var95[5]); // crossed without the rule
  });

  it('with gamma 0 serves the head unchanged', () => {
    const forecasts = [0, 1, 2, 3].map((t) => ({ servedAt: t, resolvedAt: t + 1, outcome: -5 }));
    const head = {
      var95: Float32Array.from([-0.1, -0.2, -0.3, -0.4]),
      var99: Float32Array.from([-1, -1, -1, -1]),
    };
    const out = replayAdaptiveVar(forecasts, head, { ...params, gamma: 0 });
    expect(Array.from(out.var95)).toEqual(Array.from(head.var95));
    expect(Array.from(out.var99)).toEqual(Array.from(head.var99));
  });

  it('refuses VaR arrays of another length', () => {
    expect(() =>
      replayAdaptiveVar([{ servedAt: 0, resolvedAt: 1, outcome: 0 }], { var95: [], var99: [0] }, params),
    ).toThrow(/one model VaR95 and VaR99 per forecast \(1\), got 0 and 1/);
  });
});
