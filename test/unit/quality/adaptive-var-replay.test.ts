import { describe, expect, it } from 'vitest';
import { replayAdaptiveVar } from '../../../services/quality/adaptive-var-replay.js';

const params = { alpha: 0.05, gamma: 0.5, maxLogScale: 3 };

describe('replayAdaptiveVar', () => {
  it('lets a forecast see only outcomes resolved by its own serving time', () => {
    // Two symbols, horizon 2 days: the day-0 forecasts resolve on day 2 (both hits).
    const forecasts = [
      { servedAt: 0, resolvedAt: 2, outcome: -1 },
      { servedAt: 1, resolvedAt: 3, outcome: 0 },
      { servedAt: 2, resolvedAt: 4, outcome: 0 },
      { servedAt: 0, resolvedAt: 2, outcome: -1 },
      { servedAt: 1, resolvedAt: 3, outcome: 0 },
      { servedAt: 2, resolvedAt: 4, outcome: 0 },
    ];
    const head = new Float32Array(6).fill(-0.1);
    const { served, finalLogScale } = replayAdaptiveVar(forecasts, head, params);
    // Days 0 and 1: nothing resolved yet, the head as it is.
    expect(served[0]).toBeCloseTo(-0.1, 6);
    expect(served[1]).toBeCloseTo(-0.1, 6);
    expect(served[4]).toBeCloseTo(-0.1, 6);
    // Day 2: both day-0 hits are known, theta = 2 * 0.5 * 0.95.
    expect(served[2]).toBeCloseTo(-0.1 * Math.exp(0.95), 5);
    expect(served[5]).toBeCloseTo(-0.1 * Math.exp(0.95), 5);
    // Outcomes resolved on days 3 and 4 came after the last forecast: they move theta only at the end.
    expect(finalLogScale).toBeCloseTo(0.95, 12);
  });

  it('with gamma 0 serves the head unchanged', () => {
    const forecasts = [0, 1, 2, 3].map((t) => ({ servedAt: t, resolvedAt: t + 1, outcome: -5 }));
    const head = Float32Array.from([-0.1, -0.2, -0.3, -0.4]);
    expect(Array.from(replayAdaptiveVar(forecasts, head, { ...params, gamma: 0 }).served)).toEqual(
      Array.from(head),
    );
  });

  it('refuses a VaR array of another length', () => {
    expect(() => replayAdaptiveVar([{ servedAt: 0, resolvedAt: 1, outcome: 0 }], [], params)).toThrow(
      /one model VaR per forecast \(1\), got 0/,
    );
  });
});
