import { type RiskLabelParams, riskLabelAt } from '../models/risk/risk-labels.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';

/** One labelled bar t of one symbol: the unit every scorer (model or baseline) is scored on. */
export interface LabelledSample {
  symbol: string;
  /** Index of bar t in the symbol's bar list. */
  t: number;
  /** barEnd of bar t, epoch ms. */
  barEnd: number;
  /** barEnd of bar t+H: when the label (and the VaR's outcome) is known, epoch ms. */
  horizonEnd: number;
  event: 0 | 1;
  /** r_{t,H}, the H-bar cumulative log return the VaR is compared with. */
  horizonReturn: number;
  /** For events: the first step h (1..H) at which the cumulative return crosses the event level. */
  crossing: number | null;
}

export interface WalkForwardSplit {
  /** The bundle's validation end (= test start): nothing at or after it was used for fitting. */
  cutoff: number;
  /** Samples whose whole label horizon ends before the cutoff (baselines fit on these). */
  fit: LabelledSample[];
  /** Samples with bar t at or after the cutoff, grouped by symbol in time order. */
  evaluate: LabelledSample[];
}

export interface WalkForwardOptions {
  cutoff: number;
  /** Bars per model input sequence: samples start at t = seqLen - 1 for the model and baselines alike. */
  seqLen: number;
  labels: RiskLabelParams;
}

/**
 * Splits every symbol's labelled bars at the cutoff. A fit sample needs bar t + H (the end of its
 * label) before the cutoff, so no baseline ever sees a return from the evaluation period; the H
 * samples just before the cutoff belong to neither side (the same purge as the training split).
 */
export function walkForwardSplit(
  bars: ReadonlyMap<string, readonly JoinedBar[]>,
  options: WalkForwardOptions,
): WalkForwardSplit {
  const { cutoff, seqLen, labels } = options;
  if (!(Number.isInteger(seqLen) && seqLen >= 1)) throw new RangeError(`seqLen must be >= 1, got ${seqLen}`);
  const fit: LabelledSample[] = [];
  const evaluate: LabelledSample[] = [];
  const symbols = [...bars.keys()].sort();
  for (const symbol of symbols) {
    const list = bars.get(symbol) ?? [];
    const plain = list.map((jb) => jb.bar);
    for (let t = seqLen - 1; t + labels.horizon < list.length; t++) {
      const label = riskLabelAt(plain, t, labels);
      if (label === null) continue;
      const barEnd = (plain[t] as JoinedBar['bar']).barEnd;
      const labelEnd = (plain[t + labels.horizon] as JoinedBar['bar']).barEnd;
      const sample: LabelledSample = {
        symbol,
        t,
        barEnd,
        horizonEnd: labelEnd,
        event: label.event,
        horizonReturn: label.horizonReturn,
        crossing: label.event === 1 ? crossingStep(plain, t, labels.horizon, label.eventLevel) : null,
      };
      if (barEnd >= cutoff) evaluate.push(sample);
      else if (labelEnd < cutoff) fit.push(sample);
    }
  }
  return { cutoff, fit, evaluate };
}

function crossingStep(
  bars: readonly { logReturn: number }[],
  t: number,
  horizon: number,
  level: number,
): number | null {
  let cumulative = 0;
  for (let h = 1; h <= horizon; h++) {
    cumulative += (bars[t + h] as { logReturn: number }).logReturn;
    if (cumulative < level) return h;
  }
  return null;
}

/** Indices of `samples` grouped by symbol, in their original (time) order within each symbol. */
export function indicesBySymbol(samples: readonly { symbol: string }[]): number[][] {
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const list = groups.get(s.symbol) ?? [];
    list.push(i);
    groups.set(s.symbol, list);
  });
  return [...groups.values()];
}
