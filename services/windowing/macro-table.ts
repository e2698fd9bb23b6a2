import type { MacroFeature } from '../shared/contracts/records.js';

/** The later of two releases by what a reader at some time would call "the latest": newest period, then newest version. */
const newer = (a: MacroFeature, b: MacroFeature): boolean =>
  a.periodEnd > b.periodEnd || (a.periodEnd === b.periodEnd && a.releaseTime > b.releaseTime);

/** Releases of one indicator sorted by (releaseTime, periodEnd), with the prefix maxima for as-of lookups. */
class IndicatorHistory {
  readonly entries: MacroFeature[] = [];
  /** best[i]: index in entries[0..i] of the newest release (see `newer`). */
  private best: number[] = [];

  upsert(f: MacroFeature): void {
    const e = this.entries;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = e[mid] as MacroFeature;
      if (m.releaseTime < f.releaseTime || (m.releaseTime === f.releaseTime && m.periodEnd < f.periodEnd))
        lo = mid + 1;
      else hi = mid;
    }
    const at = e[lo];
    if (at && at.releaseTime === f.releaseTime && at.periodEnd === f.periodEnd) e[lo] = f;
    else e.splice(lo, 0, f);
    this.reindexFrom(lo);
  }

  removePeriod(periodEnd: number): number {
    const before = this.entries.length;
    const kept = this.entries.filter((x) => x.periodEnd !== periodEnd);
    if (kept.length === before) return 0;
    this.entries.length = 0;
    this.entries.push(...kept);
    this.best = [];
    this.reindexFrom(0);
    return before - kept.length;
  }

  private reindexFrom(from: number): void {
    const e = this.entries;
    this.best.length = e.length;
    for (let i = from; i < e.length; i++) {
      const prev = i > 0 ? (this.best[i - 1] as number) : -1;
      this.best[i] = prev >= 0 && !newer(e[i] as MacroFeature, e[prev] as MacroFeature) ? prev : i;
    }
  }

  /** The newest period published at or before t, in its newest version published at or before t. */
  asOf(t: number): MacroFeature | undefined {
    const e = this.entries;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((e[mid] as MacroFeature).releaseTime <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : e[this.best[lo - 1] as number];
  }
}

/**
 * Every known release of the macro indicators, queried as of a time: the point-in-time view a
 * bar ending then could have seen. Releases are versioned by releaseTime, so a revision of an old
 * period never leaks into bars that ended before the revision was published. The topic is a
 * compacted table keyed `${indicatorId}|${periodEnd}`; a tombstone removes that period.
 */
export class MacroTable {
  private readonly histories = new Map<string, IndicatorHistory>();
  private count = 0;
  private readonly only: ReadonlySet<string> | undefined;

  /** With `indicators`, releases of other indicators are ignored (they are not in the tensor). */
  constructor(indicators?: readonly string[]) {
    this.only = indicators ? new Set(indicators) : undefined;
  }

  /** Adds or replaces a release; false when its indicator is not tracked. */
  upsert(f: MacroFeature): boolean {
    if (this.only && !this.only.has(f.indicatorId)) return false;
    let h = this.histories.get(f.indicatorId);
    if (!h) {
      h = new IndicatorHistory();
      this.histories.set(f.indicatorId, h);
    }
    const before = h.entries.length;
    h.upsert(f);
    this.count += h.entries.length - before;
    return true;
  }

  /** Applies a tombstone for the topic key `${indicatorId}|${periodEnd}`; returns releases removed. */
  removeKey(key: string): number {
    const cut = key.lastIndexOf('|');
    const periodEnd = Number(key.slice(cut + 1));
    if (cut < 0 || !Number.isFinite(periodEnd)) return 0;
    const removed = this.histories.get(key.slice(0, cut))?.removePeriod(periodEnd) ?? 0;
    this.count -= removed;
    return removed;
  }

  asOf(indicatorId: string, t: number): MacroFeature | undefined {
    return this.histories.get(indicatorId)?.asOf(t);
  }

  /** Releases held, all indicators. */
  get size(): number {
    return this.count;
  }
}
