import type { RobustScaling } from './robust-scaling.js';

/**
 * Generic inputs for a univariate (timestamp, value) stream, per input row r of a window:
 *  - value: the robustly scaled value;
 *  - diff: its change from row r-1;
 *  - dailyDiff: how much the series moved one day earlier over the same step, i.e.
 *    v(t_(r+1) - 1 day) - v(t_r - 1 day) (values as of the last row at or before those times):
 *    with it the network can learn the seasonal-naive forecast for daily-periodic series, which
 *    a 24-row window cannot see; 0 during the first day;
 *  - todSin / todCos: time of day of row r+1 (the row being forecast when r is the last input).
 * Only the value is forecast. t_(r+1) is known when row r+1 is scored (timestamps are covariates;
 * its value is not read).
 */
export const UNIVARIATE_INPUT_FEATURES = ['value', 'diff', 'dailyDiff', 'todSin', 'todCos'];
export const UNIVARIATE_TARGET_FEATURES = ['value'];

export const DAY_MS = 86_400_000;

/** The rows read: values and ascending timestamps (epoch ms, UTC). */
export interface UnivariateRows {
  values: readonly number[];
  timestamps: readonly number[];
}

/** Index of the last row with timestamp <= t before `before`, or -1. */
export function lastRowAtOrBefore(timestamps: readonly number[], t: number, before: number): number {
  let lo = 0;
  let hi = before - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((timestamps[mid] as number) <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Writes the input features of row r at out[offset..offset + 5). Reads rows <= r and the
 * timestamp (only) of row r + 1.
 */
export function writeUnivariateFeatures(
  out: Float32Array,
  offset: number,
  rows: UnivariateRows,
  r: number,
  scaling: RobustScaling,
  clip: number,
): void {
  const { values, timestamps } = rows;
  const value = values[r] as number;
  const t = timestamps[r] as number;
  const next = (timestamps[r + 1] as number | undefined) ?? t;
  out[offset] = clamp((value - scaling.center) / scaling.scale, clip);
  out[offset + 1] = r > 0 ? clamp((value - (values[r - 1] as number)) / scaling.scale, clip) : 0;
  const a = lastRowAtOrBefore(timestamps, t - DAY_MS, r);
  const b = lastRowAtOrBefore(timestamps, next - DAY_MS, r);
  out[offset + 2] =
    a >= 0 && b >= 0 ? clamp(((values[b] as number) - (values[a] as number)) / scaling.scale, clip) : 0;
  const dayFraction = (((next % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  out[offset + 3] = Math.sin(2 * Math.PI * dayFraction);
  out[offset + 4] = Math.cos(2 * Math.PI * dayFraction);
}

function clamp(x: number, clip: number): number {
  return Number.isFinite(x) ? Math.max(-clip, Math.min(clip, x)) : 0;
}
