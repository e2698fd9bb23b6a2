import { describe, expect, it } from 'vitest';
import { challengerGate, type GateModelNumbers } from '../../../services/retrainer/challenger-gate.js';
import { fullCycleDue, nextDue, parseSchedule } from '../../../services/retrainer/retrain-schedule.js';
import { baselGreenLimit, countVarExceedances } from '../../../services/retrainer/var-exceedances.js';

const numbers = (prAuc: number, exceedances: number, samples = 250): GateModelNumbers => {
  const var99 = new Float32Array(samples).fill(-0.05);
  const realised = new Float32Array(samples).fill(0);
  for (let i = 0; i < exceedances; i++) realised[i] = -0.1;
  return { prAuc, var99: countVarExceedances(var99, realised) };
};
const options = { prAucMargin: 0.01, falseAlarmMargin: 0.01 };

describe('VaR99 exceedances', () => {
  it('counts realised returns below var99 and scales the Basel green zone binomially', () => {
    expect(baselGreenLimit(250)).toBe(4);
    expect(baselGreenLimit(500)).toBe(8);
    expect(baselGreenLimit(3)).toBe(0);
    const v = countVarExceedances([-0.05, -0.05, -0.05, Number.NaN], [-0.06, -0.05, 0.01, -1]);
    expect(v).toMatchObject({ samples: 3, exceedances: 1, greenLimit: 0, green: false });
    expect(() => countVarExceedances([1], [])).toThrow(/must pair up, got 1 and 0/);
  });
});

describe('challenger gate', () => {
  it('promotes a challenger that ranks better and keeps VaR99 in the green zone', () => {
    const d = challengerGate(
      { champion: numbers(0.1, 2), challenger: numbers(0.15, 4), anomalyFalseAlarms: null },
      options,
    );
    expect(d.promote).toBe(true);
    expect(d.checks.every((c) => c.passed)).toBe(true);
    expect(d.numbers).toMatchObject({
      'gate.promote': 1,
      'gate.challengerPrAuc': 0.15,
      'gate.var99GreenLimit': 4,
    });
  });

  it('rejects a worse challenger and says why with the numbers', () => {
    const d = challengerGate(
      { champion: numbers(0.15, 2), challenger: numbers(0.1, 2), anomalyFalseAlarms: null },
      options,
    );
    expect(d.promote).toBe(false);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatch(
      /challenger PR-AUC 0.1000 vs champion 0.1500: gain -0.0500 <= margin 0.0100/,
    );
  });

  it('rejects a gain within the margin', () => {
    expect(
      challengerGate(
        { champion: numbers(0.1, 0), challenger: numbers(0.105, 0), anomalyFalseAlarms: null },
        options,
      ).promote,
    ).toBe(false);
  });

  it('rejects a better-ranking challenger whose VaR99 leaves the green zone', () => {
    const d = challengerGate(
      { champion: numbers(0.1, 2), challenger: numbers(0.2, 5), anomalyFalseAlarms: null },
      options,
    );
    expect(d.promote).toBe(false);
    expect(d.reasons.join()).toMatch(/exceedances 5 of 250 .* green zone allows 4: outside the green zone/);
  });

  it('rejects when the anomaly false-alarm rate rises by more than its margin', () => {
    const base = { champion: numbers(0.1, 0), challenger: numbers(0.2, 0) };
    expect(
      challengerGate({ ...base, anomalyFalseAlarms: { champion: 0.02, challenger: 0.025 } }, options).promote,
    ).toBe(true);
    const d = challengerGate({ ...base, anomalyFalseAlarms: { champion: 0.02, challenger: 0.05 } }, options);
    expect(d.promote).toBe(false);
    expect(d.reasons[0]).toMatch(/false-alarm rate 0.0500 vs 0.0200: rise 0.0300 > margin 0.0100/);
  });

  it('does not promote when PR-AUC is undefined on the period', () => {
    const d = challengerGate(
      { champion: numbers(Number.NaN, 0), challenger: numbers(Number.NaN, 0), anomalyFalseAlarms: null },
      options,
    );
    expect(d.promote).toBe(false);
    expect(d.numbers['gate.championPrAuc']).toBeUndefined();
  });
});

describe('retrain schedule', () => {
  const schedule = parseSchedule({ intervalMs: 1000, driftCheckMs: 100 });
  it('is due for a drift check, then a scheduled cycle, and waits otherwise', () => {
    const state = { startedAt: 0, lastCycleAt: null, lastDriftCheckAt: null };
    expect(nextDue(schedule, state, 50)).toEqual({ trigger: null, waitMs: 50 });
    expect(nextDue(schedule, state, 100).trigger).toBe('drift-check');
    expect(nextDue(schedule, { ...state, lastDriftCheckAt: 950 }, 1000).trigger).toBe('schedule');
    expect(nextDue(schedule, { ...state, lastCycleAt: 1000, lastDriftCheckAt: 1000 }, 1050)).toEqual({
      trigger: null,
      waitMs: 50,
    });
    // Interval 0: drift checks only.
    const driftOnly = parseSchedule({ intervalMs: 0, driftCheckMs: 100 });
    expect(nextDue(driftOnly, { ...state, lastDriftCheckAt: 10_000 }, 10_050)).toEqual({
      trigger: null,
      waitMs: 50,
    });
  });
  it('runs scheduled cycles on a cron expression in its time zone', () => {
    const cron = parseSchedule({ intervalMs: 1000, driftCheckMs: 3_600_000, cron: '0 3 * * 1-5' });
    expect(cron.cron).toEqual({ expression: '0 3 * * 1-5', timezone: 'UTC' });
    const started = Date.UTC(2026, 11, 4, 12, 0); // Friday 12:00 UTC
    const state = { startedAt: started, lastCycleAt: null, lastDriftCheckAt: started };
    // Next weekday 03:00 is Monday: the interval is not used.
    const monday = Date.UTC(2026, 11, 7, 3, 0);
    expect(nextDue(cron, state, started + 1000)).toEqual({ trigger: null, waitMs: 3_600_000 - 1000 });
    expect(nextDue(cron, { ...state, lastDriftCheckAt: monday }, monday - 1).waitMs).toBe(1);
    expect(nextDue(cron, { ...state, lastDriftCheckAt: monday }, monday).trigger).toBe('schedule');
    // A time missed while a cycle ran is due at once; after the cycle the next one is Tuesday.
    expect(nextDue(cron, { ...state, lastDriftCheckAt: monday + 7200_000 }, monday + 7200_000).trigger).toBe(
      'schedule',
    );
    const afterCycle = { ...state, lastCycleAt: monday + 60_000, lastDriftCheckAt: monday + 60_000 };
    expect(nextDue(cron, afterCycle, monday + 60_000).waitMs).toBe(3_600_000);
    const ny = parseSchedule({
      intervalMs: 0,
      driftCheckMs: 1e12,
      cron: '0 3 * * *',
      cronTimezone: 'America/New_York',
    });
    expect(nextDue(ny, { startedAt: monday, lastCycleAt: null, lastDriftCheckAt: null }, monday).waitMs).toBe(
      5 * 3_600_000, // 03:00 in New York is 08:00 UTC in December
    );
  });
  it('refuses bad cron expressions, zones and intervals with the reason', () => {
    expect(() => parseSchedule({ intervalMs: 1, driftCheckMs: 1, cron: '61 3 * * *' })).toThrow(
      /retrainer.cron: expected a cron expression .* got "61 3 \* \* \*" in "UTC": .*0-59/,
    );
    expect(() =>
      parseSchedule({ intervalMs: 1, driftCheckMs: 1, cron: '0 3 * * *', cronTimezone: 'Mars/Olympus' }),
    ).toThrow(/in "Mars\/Olympus"/);
    expect(() => parseSchedule({ intervalMs: -1, driftCheckMs: 1 })).toThrow(
      /intervalMs must be an integer >= 0 ms, got -1/,
    );
  });
  it('makes every Nth training cycle a full one, never with 0', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => fullCycleDue(3, n))).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(fullCycleDue(1, 0)).toBe(true);
    expect(fullCycleDue(0, 2)).toBe(false);
  });
});
