import { describe, expect, it } from 'vitest';
import {
  type CalibrationOptions,
  calibrateSeverities,
  classifySeverity,
  severityEnterLevels,
  wilsonLowerBound,
} from '../../../services/models/risk/risk-calibration.js';

// precision by threshold: .9 1/1, .8 2/2, .7 2/3, .6 3/4, .5 3/5, .4 3/6, .3 4/7, .2 4/8, .1 4/9, .05 4/10
const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
const labels = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0];

const options = (
  info: number,
  warning: number,
  critical: number,
  top = [0.5, 0.2, 0.1],
): CalibrationOptions => ({
  rules: [
    { severity: 'INFO', targetPrecision: info, topFraction: top[0]! },
    { severity: 'WARNING', targetPrecision: warning, topFraction: top[1]! },
    { severity: 'CRITICAL', targetPrecision: critical, topFraction: top[2]! },
  ],
  hysteresis: 0.8,
  minFlagged: 2,
  precisionZ: 0,
});

describe('calibrateSeverities', () => {
  it('picks the lowest threshold reaching each precision target', () => {
    const cal = calibrateSeverities(scores, labels, options(0.5, 0.7, 0.95));
    expect(cal.eventThresholds.map((t) => [t.severity, t.enter, t.rule])).toEqual([
      ['INFO', 0.2, 'precision'],
      ['WARNING', 0.6, 'precision'],
      ['CRITICAL', 0.8, 'precision'],
    ]);
    expect(cal.eventThresholds[0]!.exit).toBeCloseTo(0.16, 12);
    expect(cal.eventThresholds[1]!.validationPrecision).toBe(0.75);
    expect(cal.eventThresholds[1]!.validationRecall).toBe(0.75);
    expect(cal.eventThresholds[2]!.validationFlaggedRate).toBe(0.2);
    expect(cal).toMatchObject({ fittedOn: 'validation', validationSize: 10, validationPositives: 4 });
  });

  it('exposes the enter levels by severity', () => {
    const cal = calibrateSeverities(scores, labels, options(0.5, 0.7, 0.95));
    expect(severityEnterLevels(cal)).toEqual({ INFO: 0.2, WARNING: 0.6, CRITICAL: 0.8 });
  });

  it('requires minFlagged samples before trusting a precision', () => {
    // 0.9 alone has precision 1 but flags only one sample: 0.8 (two flagged) is chosen.
    const cal = calibrateSeverities(scores, labels, options(0.5, 0.7, 1));
    expect(cal.eventThresholds[2]!.enter).toBe(0.8);
  });

  it('with precisionZ > 0 needs the Wilson lower bound of the precision to reach the target', () => {
    // 0.8 flags 2 of 2 (point 1.0, Wilson lower at z 1.645: 0.425); 0.6 flags 3 of 4 (0.75 / 0.356).
    expect(wilsonLowerBound(2, 2, 1.645)).toBeCloseTo(0.425, 3);
    expect(wilsonLowerBound(3, 4, 1.645)).toBeCloseTo(0.3561, 3);
    expect(wilsonLowerBound(3, 4, 0)).toBe(0.75);
    const cal = calibrateSeverities(scores, labels, { ...options(0.3, 0.4, 0.9), precisionZ: 1.645 });
    expect(cal.eventThresholds.map((t) => [t.severity, t.enter, t.rule])).toEqual([
      ['INFO', 0.6, 'precision'],
      ['WARNING', 0.8, 'precision'],
      ['CRITICAL', 0.9, 'top-fraction'],
    ]);
    expect(() => calibrateSeverities(scores, labels, { ...options(0.3, 0.4, 0.9), precisionZ: -1 })).toThrow(
      /precisionZ must be >= 0/,
    );
  });

  it('falls back to the top fraction when a target is out of reach, and keeps levels monotone', () => {
    const cal = calibrateSeverities(scores, labels, options(1.1, 0.7, 1.1, [0.05, 0.2, 0.3]));
    expect(cal.eventThresholds.map((t) => [t.severity, t.enter, t.rule])).toEqual([
      ['INFO', 0.9, 'top-fraction'],
      ['WARNING', 0.9, 'monotone'],
      ['CRITICAL', 0.9, 'monotone'],
    ]);
    const top = calibrateSeverities(scores, labels, options(1.1, 1.1, 1.1, [0.3, 0.2, 0.1]));
    expect(top.eventThresholds.map((t) => t.enter)).toEqual([0.7, 0.8, 0.9]);
  });

  it('rejects empty input and incomplete rules', () => {
    expect(() => calibrateSeverities([], [])).toThrow(/empty validation split/);
    const partial = { ...options(0.5, 0.5, 0.5), rules: options(0.5, 0.5, 0.5).rules.slice(0, 2) };
    expect(() => calibrateSeverities(scores, labels, partial)).toThrow(/CRITICAL is missing/);
  });
});

describe('classifySeverity', () => {
  const thresholds = calibrateSeverities(scores, labels, options(0.5, 0.7, 0.95)).eventThresholds;
  // enter/exit: INFO .2/.16, WARNING .6/.48, CRITICAL .8/.64

  it('enters a level at its enter threshold', () => {
    expect(classifySeverity(0.1, null, thresholds)).toBeNull();
    expect(classifySeverity(0.5, null, thresholds)).toBe('INFO');
    expect(classifySeverity(0.7, null, thresholds)).toBe('WARNING');
    expect(classifySeverity(0.85, 'INFO', thresholds)).toBe('CRITICAL');
  });

  it('holds the previous level down to its exit threshold, then steps down', () => {
    expect(classifySeverity(0.5, 'WARNING', thresholds)).toBe('WARNING');
    expect(classifySeverity(0.45, 'WARNING', thresholds)).toBe('INFO');
    expect(classifySeverity(0.7, 'CRITICAL', thresholds)).toBe('CRITICAL');
    expect(classifySeverity(0.17, 'INFO', thresholds)).toBe('INFO');
    expect(classifySeverity(0.15, 'INFO', thresholds)).toBeNull();
  });
});
