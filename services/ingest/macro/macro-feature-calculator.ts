import type { MacroFeature, MacroIndicator } from '../../shared/contracts/records.js';

export interface MacroSettings {
  /** Earlier periods in the zScore window. */
  window: number;
  /** zScore is 0 and surprise null until this many earlier periods are known. */
  minHistory: number;
}

interface Period {
  periodEnd: number;
  releaseTime: number;
  value: number;
}

function meanAndStdev(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const ss = xs.reduce((s, x) => s + (x - mean) * (x - mean), 0);
  return { mean, sd: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0 };
}

/**
 * Per-release features of macro indicators. The history is one value per period (a revision
 * replaces its period's value). A release's features use only periods that end before its own
 * and were released no later than it, so a feature never knows anything published after it.
 */
export class MacroFeatureCalculator {
  private readonly history = new Map<string, Period[]>();

  constructor(private readonly settings: MacroSettings) {}

  next(r: MacroIndicator): MacroFeature {
    const periods = this.history.get(r.indicatorId) ?? [];
    const earlier = periods
      .filter((p) => p.periodEnd < r.periodEnd && p.releaseTime <= r.releaseTime)
      .slice(-this.settings.window);
    const values = earlier.map((p) => p.value);
    const prev = values[values.length - 1];
    const change = prev !== undefined ? r.actual - prev : r.previous !== null ? r.actual - r.previous : 0;

    let zScore = 0;
    let surprise: number | null = null;
    if (values.length >= this.settings.minHistory) {
      const { mean, sd } = meanAndStdev(values);
      if (sd > 0) zScore = (r.actual - mean) / sd;
      if (r.consensus !== null) {
        const changes = values.slice(1).map((v, i) => v - (values[i] as number));
        const { sd: changeSd } = meanAndStdev(changes);
        if (changeSd > 0) surprise = (r.actual - r.consensus) / changeSd;
      }
    }
    this.remember(r, periods);
    return {
      indicatorId: r.indicatorId,
      releaseTime: r.releaseTime,
      periodEnd: r.periodEnd,
      value: r.actual,
      zScore,
      change,
      surprise,
    };
  }

  private remember(r: MacroIndicator, periods: Period[]): void {
    const at = periods.findIndex((p) => p.periodEnd >= r.periodEnd);
    const entry = { periodEnd: r.periodEnd, releaseTime: r.releaseTime, value: r.actual };
    if (at === -1) periods.push(entry);
    else if (periods[at]?.periodEnd === r.periodEnd) {
      // A revision replaces its period; an older release arriving after a newer one does not.
      if ((periods[at] as Period).releaseTime <= r.releaseTime) periods[at] = entry;
    } else periods.splice(at, 0, entry);
    // Keep enough for the window plus room for records that arrive a little out of order.
    const keep = 2 * this.settings.window + 2;
    if (periods.length > keep) periods.splice(0, periods.length - keep);
    this.history.set(r.indicatorId, periods);
  }
}
