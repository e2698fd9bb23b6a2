import type { Severity } from '../../shared/contracts/records.js';
import { metricsAtThreshold } from '../evaluation/probability-metrics.js';

/** Severities from lowest to highest. */
export const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];

export interface SeverityRule {
  severity: Severity;
  /** Preferred rule: the lowest threshold whose validation precision reaches this. */
  targetPrecision: number;
  /** Fallback rule: flag about this share of validation samples (the top scores). */
  topFraction: number;
}

export interface CalibrationOptions {
  rules: SeverityRule[];
  /** Exit level = enter level x this (hysteresis: an alert stays on until the score drops below). */
  hysteresis: number;
  /** A precision-rule threshold must flag at least this many validation samples. */
  minFlagged: number;
  /**
   * z of the Wilson lower bound a precision-rule threshold must reach its target with (1.645: one
   * sided 95%); 0 takes the point estimate. With a weak model the point estimate is met by a
   * handful of samples at the very top (3 of 15 flagged reached 0.2 on a bundle's validation
   * split), which then set INFO above the top-fraction fallbacks of the higher severities and
   * collapsed all three into one level that every alert reached as CRITICAL.
   */
  precisionZ: number;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = {
  rules: [
    { severity: 'INFO', targetPrecision: 0.2, topFraction: 0.1 },
    { severity: 'WARNING', targetPrecision: 0.35, topFraction: 0.03 },
    { severity: 'CRITICAL', targetPrecision: 0.5, topFraction: 0.01 },
  ],
  hysteresis: 0.8,
  minFlagged: 10,
  precisionZ: 1.645,
};

/** Wilson score lower bound of a proportion of `hits` in `n` at normal quantile z. */
export function wilsonLowerBound(hits: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = hits / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre - spread) / (1 + z2 / n);
}

export interface SeverityThreshold {
  severity: Severity;
  /** Event probability at or above which this severity fires. */
  enter: number;
  /** Once fired, the severity holds while the probability stays at or above this. */
  exit: number;
  /** Which rule set `enter`: the precision target, the top-fraction fallback, or raised to the level below. */
  rule: 'precision' | 'top-fraction' | 'monotone';
  validationPrecision: number;
  validationRecall: number;
  validationFlaggedRate: number;
}

/** calibration.json of a risk bundle. */
export interface RiskCalibration {
  /** INFO, WARNING, CRITICAL in that order with non-decreasing enter levels. */
  eventThresholds: SeverityThreshold[];
  hysteresis: number;
  fittedOn: 'validation';
  validationSize: number;
  validationPositives: number;
}

/**
 * Severity thresholds on event probability, fitted on the VALIDATION split (never train, never
 * test). For each severity: the lowest threshold at which validation precision (its Wilson lower
 * bound at precisionZ) >= its target while flagging at least minFlagged samples; when no threshold
 * reaches the target, the threshold that flags the top `topFraction` of validation scores. Levels are then made non-decreasing from INFO
 * to CRITICAL, and each gets exit = hysteresis x enter.
 */
export function calibrateSeverities(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CalibrationOptions = DEFAULT_CALIBRATION_OPTIONS,
): RiskCalibration {
  const n = scores.length;
  if (n === 0) throw new RangeError('cannot calibrate severities on an empty validation split');
  if (!(options.hysteresis > 0 && options.hysteresis <= 1)) {
    throw new RangeError(`hysteresis must be in (0, 1], got ${options.hysteresis}`);
  }
  const order = SEVERITIES.map((sev) => {
    const rule = options.rules.find((r) => r.severity === sev);
    if (!rule)
      throw new RangeError(`calibration rules must cover ${SEVERITIES.join(', ')}; ${sev} is missing`);
    return rule;
  });
  const z = options.precisionZ;
  if (!(z >= 0)) throw new RangeError(`precisionZ must be >= 0, got ${z}`);
  const sorted = Array.from(scores).sort((a, b) => b - a);
  // Scanning from the highest score down.
  const sortedIdx = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  // Precision at each distinct threshold, as its Wilson lower bound (the point estimate at z 0).
  const curve: { threshold: number; flagged: number; precisionLow: number }[] = [];
  let tp = 0;
  for (let i = 0; i < n; ) {
    const s = scores[sortedIdx[i] as number] as number;
    let j = i;
    while (j < n && scores[sortedIdx[j] as number] === s) {
      if ((labels[sortedIdx[j] as number] as number) > 0.5) tp++;
      j++;
    }
    curve.push({ threshold: s, flagged: j, precisionLow: wilsonLowerBound(tp, j, z) });
    i = j;
  }

  let previousEnter = Number.NEGATIVE_INFINITY;
  const eventThresholds = order.map((rule): SeverityThreshold => {
    let enter: number | undefined;
    let kind: SeverityThreshold['rule'] = 'precision';
    for (const point of curve) {
      if (point.flagged >= options.minFlagged && point.precisionLow >= rule.targetPrecision)
        enter = point.threshold;
    }
    if (enter === undefined) {
      kind = 'top-fraction';
      const rank = Math.min(n, Math.max(1, Math.ceil(rule.topFraction * n)));
      enter = sorted[rank - 1] as number;
    }
    if (enter < previousEnter) {
      enter = previousEnter;
      kind = 'monotone';
    }
    previousEnter = enter;
    const m = metricsAtThreshold(scores, labels, enter);
    return {
      severity: rule.severity,
      enter,
      exit: enter * options.hysteresis,
      rule: kind,
      validationPrecision: m.precision,
      validationRecall: m.recall,
      validationFlaggedRate: m.flaggedRate,
    };
  });
  let positives = 0;
  for (let i = 0; i < n; i++) if ((labels[i] as number) > 0.5) positives++;
  return {
    eventThresholds,
    hysteresis: options.hysteresis,
    fittedOn: 'validation',
    validationSize: n,
    validationPositives: positives,
  };
}

/**
 * The severity of a score given the symbol's previous severity (null: no alert active). Levels
 * above the previous one need their enter level; the previous level and those below it hold
 * while the score stays at or above their exit level. Returns null when no level applies.
 */
export function classifySeverity(
  score: number,
  previous: Severity | null,
  thresholds: readonly SeverityThreshold[],
): Severity | null {
  const previousRank = previous === null ? -1 : SEVERITIES.indexOf(previous);
  let result: Severity | null = null;
  for (const t of thresholds) {
    const rank = SEVERITIES.indexOf(t.severity);
    const level = rank <= previousRank ? t.exit : t.enter;
    if (score >= level && (result === null || rank > SEVERITIES.indexOf(result))) result = t.severity;
  }
  return result;
}

/** Enter levels by severity (e.g. for the scorer's ladderFromThresholds(enter, calibration.hysteresis)). */
export function severityEnterLevels(calibration: RiskCalibration): Record<Severity, number> {
  const out = {} as Record<Severity, number>;
  for (const t of calibration.eventThresholds) out[t.severity] = t.enter;
  for (const s of SEVERITIES) {
    if (out[s] === undefined) throw new RangeError(`calibration has no ${s} threshold`);
  }
  return out;
}
