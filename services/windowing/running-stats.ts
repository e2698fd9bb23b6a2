import type { FeatureScaling } from '../shared/contracts/scaler.js';

/** Welford's online mean and variance, per feature (each with its own count: non-finite values are skipped). */
export class RunningMoments {
  readonly n: number[];
  readonly mean: number[];
  readonly m2: number[];

  constructor(readonly names: readonly string[]) {
    this.n = names.map(() => 0);
    this.mean = names.map(() => 0);
    this.m2 = names.map(() => 0);
  }

  add(values: ArrayLike<number>): void {
    for (let i = 0; i < this.names.length; i++) {
      const x = values[i] as number;
      if (!Number.isFinite(x)) continue;
      const n = (this.n[i] as number) + 1;
      const delta = x - (this.mean[i] as number);
      const mean = (this.mean[i] as number) + delta / n;
      this.n[i] = n;
      this.mean[i] = mean;
      this.m2[i] = (this.m2[i] as number) + delta * (x - mean);
    }
  }

  /** Mean and sample std so far; std 1 until two values are seen (scaling is then a plain shift). */
  scaling(): FeatureScaling {
    return {
      names: [...this.names],
      mean: [...this.mean],
      std: this.m2.map((m2, i) => {
        const n = this.n[i] as number;
        return n > 1 ? Math.sqrt(m2 / (n - 1)) : 1;
      }),
    };
  }

  reset(): void {
    this.n.fill(0);
    this.mean.fill(0);
    this.m2.fill(0);
  }

  toJSON(): MomentsSnapshot {
    return { names: [...this.names], n: [...this.n], mean: [...this.mean], m2: [...this.m2] };
  }

  /** Restores a snapshot of the same feature list; false (nothing changed) when the lists differ. */
  restore(s: MomentsSnapshot): boolean {
    const len = this.names.length;
    if (s.names.length !== len || s.names.some((n, i) => n !== this.names[i])) return false;
    if (s.n.length !== len || s.mean.length !== len || s.m2.length !== len) return false;
    for (let i = 0; i < len; i++) {
      this.n[i] = s.n[i] as number;
      this.mean[i] = s.mean[i] as number;
      this.m2[i] = s.m2[i] as number;
    }
    return true;
  }
}

export interface MomentsSnapshot {
  names: string[];
  n: number[];
  mean: number[];
  m2: number[];
}

/** The running statistics of the three feature groups as persisted in the state dir. */
export interface RunningStatsSnapshot {
  version: 1;
  market: MomentsSnapshot;
  macro: MomentsSnapshot;
  sentiment: MomentsSnapshot;
}
