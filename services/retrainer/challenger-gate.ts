import type { VarExceedances } from './var-exceedances.js';

/** What the gate compares, all measured on the same held-out recent period. */
export interface GateModelNumbers {
  /** Average precision of the risk head's event probability. */
  prAuc: number;
  var99: VarExceedances;
}

export interface GateInputs {
  champion: GateModelNumbers;
  challenger: GateModelNumbers;
  /**
   * Share of judged rows the anomaly detector flags on the period, champion and challenger. Null
   * when the cycle did not retrain the anomaly model (the champion's stays, so nothing can rise).
   */
  anomalyFalseAlarms: { champion: number; challenger: number } | null;
}

export interface GateOptions {
  /** The challenger's PR-AUC must exceed the champion's by more than this. */
  prAucMargin: number;
  /** The anomaly false-alarm rate may rise by at most this. */
  falseAlarmMargin: number;
}

export interface GateCheck {
  name: 'pr-auc' | 'var99-green-zone' | 'anomaly-false-alarms';
  passed: boolean;
  reason: string;
}

export interface GateDecision {
  promote: boolean;
  checks: GateCheck[];
  /** The failing checks' reasons, or the passing ones when promoted. */
  reasons: string[];
  /** Flat numbers for bundle metadata and ModelUpdate.metrics. */
  numbers: Record<string, number>;
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/**
 * Promote only if the challenger ranks events better on the recent period by the margin, its
 * VaR99 stays in the Basel green zone there, and the anomaly false-alarm rate does not rise by
 * more than its margin. Pure: every number it needs is in the inputs.
 */
export function challengerGate(inputs: GateInputs, options: GateOptions): GateDecision {
  const { champion, challenger } = inputs;
  const checks: GateCheck[] = [];

  const gain = challenger.prAuc - champion.prAuc;
  const prOk = Number.isFinite(gain) && gain > options.prAucMargin;
  checks.push({
    name: 'pr-auc',
    passed: prOk,
    reason: Number.isFinite(gain)
      ? `challenger PR-AUC ${f(challenger.prAuc)} vs champion ${f(champion.prAuc)}: gain ${f(gain)} ${prOk ? '>' : '<='} margin ${f(options.prAucMargin)}`
      : `PR-AUC is not defined on the period (champion ${f(champion.prAuc)}, challenger ${f(challenger.prAuc)}): no positives or no samples`,
  });

  const v = challenger.var99;
  checks.push({
    name: 'var99-green-zone',
    passed: v.green && v.samples > 0,
    reason:
      v.samples === 0
        ? 'no held-out samples to count VaR99 exceedances on'
        : `challenger VaR99 exceedances ${v.exceedances} of ${v.samples} (${f(v.rate * 100)}%), green zone allows ${v.greenLimit}${v.green ? '' : ': outside the green zone'}`,
  });

  const fa = inputs.anomalyFalseAlarms;
  if (fa === null) {
    checks.push({
      name: 'anomaly-false-alarms',
      passed: true,
      reason: 'anomaly model not retrained in this cycle: its false-alarm rate cannot change',
    });
  } else {
    const rise = fa.challenger - fa.champion;
    const ok = Number.isFinite(rise) && rise <= options.falseAlarmMargin;
    checks.push({
      name: 'anomaly-false-alarms',
      passed: ok,
      reason: `anomaly false-alarm rate ${f(fa.challenger)} vs ${f(fa.champion)}: rise ${f(rise)} ${ok ? '<=' : '>'} margin ${f(options.falseAlarmMargin)}`,
    });
  }

  const promote = checks.every((c) => c.passed);
  const numbers: Record<string, number> = {
    'gate.promote': promote ? 1 : 0,
    'gate.championPrAuc': champion.prAuc,
    'gate.challengerPrAuc': challenger.prAuc,
    'gate.prAucMargin': options.prAucMargin,
    'gate.championVar99Exceedances': champion.var99.exceedances,
    'gate.challengerVar99Exceedances': challenger.var99.exceedances,
    'gate.var99Samples': challenger.var99.samples,
    'gate.var99GreenLimit': challenger.var99.greenLimit,
  };
  if (fa !== null) {
    numbers['gate.championFalseAlarmRate'] = fa.champion;
    numbers['gate.challengerFalseAlarmRate'] = fa.challenger;
  }
  for (const k of Object.keys(numbers)) if (!Number.isFinite(numbers[k])) delete numbers[k];
  return {
    promote,
    checks,
    reasons: (promote ? checks : checks.filter((c) => !c.passed)).map((c) => c.reason),
    numbers,
  };
}
