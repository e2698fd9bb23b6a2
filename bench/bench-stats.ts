/** Spread of one figure over repeated runs: the median is the figure, min and max show the noise. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median (mean of the middle two for an even count), min and max; throws on no samples. */
export function spread(samples: readonly number[]): Spread {
  const finite = samples.filter((s) => Number.isFinite(s));
  if (finite.length === 0) throw new RangeError('spread needs at least one finite sample');
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: sorted.length };
}

/** Nearest-rank percentile (p in [0, 100]) of samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Rounds for the report: integers above 100, 3 significant digits below. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(3));
}

/**
 * A figure object: each key's median as the value (so `codec.avroRecPerSec` is a number) plus
 * `spread.<key>` with min, max and the number of runs.
 */
export type Figure<K extends string> = { [P in K]: number | null } & {
  spread: Partial<Record<K, Spread>>;
};

/** Builds a Figure from per-key samples; a key with no samples becomes null. */
export function figure<K extends string>(samples: Record<K, readonly number[]>): Figure<K> {
  const out = { spread: {} } as Figure<K>;
  for (const key of Object.keys(samples) as K[]) {
    const values = samples[key];
    if (values.length === 0 || values.every((v) => !Number.isFinite(v))) {
      (out as Record<K, number | null>)[key] = null;
      continue;
    }
    const s = spread(values);
    (out as Record<K, number | null>)[key] = round(s.median);
    out.spread[key] = { median: round(s.median), min: round(s.min), max: round(s.max), runs: s.runs };
  }
  return out;
}
