import type { FeatureScaling } from '../../shared/contracts/scaler.js';
import type { GanWindows } from './gan-training.js';

/**
 * How the generator produces each market column, decided from the feature names, the scaler and
 * the real windows. Generating every column as free noise made the synthetic windows trivially
 * separable (measured on 6 symbols, docs/retrainer.md: a logistic on one column's summaries told
 * them apart at 1.000 accuracy for `imbalance`, constant in the daily replay, and 0.999 for
 * ewmaVol, a smooth function of past returns that came out as rough as a return): columns the
 * pipeline derives deterministically must be derived here too.
 * - `garch`: the return column, mean + GARCH(1,1) shock (garch-recursion.ts).
 * - `ewma`: the pipeline's EWMA volatility of the generated returns, rescaled like the real column.
 * - `constant`: a column with one value in every real window (e.g. imbalance in the daily replay).
 * - `free`: mean + scale x noise from a dense head that also sees the return's sigma and |shock|,
 *   exponentially smoothed at a learned rate that starts at the real column's lag-1 autocorrelation.
 * All values are in the scaled space of the windows: x = (raw - mean) / std.
 */
export type ColumnRole =
  | { kind: 'garch' }
  | {
      kind: 'ewma';
      lambda: number;
      /** Raw return = x * returnStd + returnMean; scaled vol = (vol - mean) / std. */
      returnMean: number;
      returnStd: number;
      mean: number;
      std: number;
    }
  | { kind: 'constant'; value: number }
  | {
      kind: 'free';
      /** Lag-1 autocorrelation of the real column: where the column's learned smoothing starts. */
      persistence?: number;
    };

export interface ColumnOptions {
  /** The ingest's EWMA decay (config ingest.ewmaLambda); the fit below checks the data agrees. */
  ewmaLambda: number;
}

/** Columns whose every real value is within this of one value are constant. */
const CONSTANT_TOLERANCE = 1e-6;

/**
 * Roles for the columns of `scaling` (the windows' market features). logReturn is `garch`;
 * ewmaVol is `ewma` when logReturn is present, neither is divided by another feature (a ratio
 * would make the recursion circular) and the real windows follow the recursion with the given
 * lambda (median relative error < 5%; otherwise `free`); constant columns are `constant`.
 * Without names (scaling null) every column is `free`.
 */
export function ganColumns(
  data: GanWindows,
  scaling: FeatureScaling | null,
  options: ColumnOptions,
): ColumnRole[] {
  const { width: f } = data;
  const roles: ColumnRole[] = Array.from({ length: f }, (): ColumnRole => ({ kind: 'free' }));
  for (let j = 0; j < f; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = j; i < data.windows.length; i += f) {
      const v = data.windows[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (data.windows.length > 0 && hi - lo <= CONSTANT_TOLERANCE) roles[j] = { kind: 'constant', value: lo };
    else roles[j] = { kind: 'free', persistence: lagOneAutocorrelation(data, j) };
  }
  if (scaling === null) return roles;
  const r = scaling.names.indexOf('logReturn');
  const v = scaling.names.indexOf('ewmaVol');
  if (r >= 0 && roles[r]?.kind === 'free') roles[r] = { kind: 'garch' };
  const divided = (k: number) => (scaling.divideBy?.[k] ?? null) !== null;
  if (r >= 0 && v >= 0 && !divided(r) && !divided(v) && roles[v]?.kind === 'free') {
    const sd = (k: number) => {
      const s = scaling.std[k] as number;
      return s > 1e-12 ? s : 1;
    };
    const role: ColumnRole = {
      kind: 'ewma',
      lambda: options.ewmaLambda,
      returnMean: scaling.mean[r] as number,
      returnStd: sd(r),
      mean: scaling.mean[v] as number,
      std: sd(v),
    };
    if (followsEwma(data, r, v, role)) roles[v] = role;
  }
  return roles;
}

/**
 * Whether consecutive real bars satisfy vol_t^2 = lambda vol_{t-1}^2 + (1 - lambda) r_t^2 (median
 * relative error of vol_t under 5%). Clipped values and the scaler's rounding make a few pairs
 * miss; a different lambda or definition makes most of them miss.
 */
function followsEwma(
  data: GanWindows,
  r: number,
  v: number,
  role: Extract<ColumnRole, { kind: 'ewma' }>,
): boolean {
  const { seqLen: l, width: f } = data;
  const errors: number[] = [];
  const stride = Math.max(1, Math.floor(data.size / 500));
  for (let i = 0; i < data.size; i += stride) {
    for (let t = 1; t < l; t++) {
      const at = (k: number, s: number) => data.windows[(i * l + s) * f + k] as number;
      const ret = at(r, t) * role.returnStd + role.returnMean;
      const prev = at(v, t - 1) * role.std + role.mean;
      const vol = at(v, t) * role.std + role.mean;
      if (!(vol > 0)) continue;
      const predicted = Math.sqrt(Math.max(0, role.lambda * prev * prev + (1 - role.lambda) * ret * ret));
      errors.push(Math.abs(predicted - vol) / vol);
    }
  }
  if (errors.length === 0) return false;
  errors.sort((a, b) => a - b);
  return (errors[Math.floor(errors.length / 2)] as number) < 0.05;
}

/** Lag-1 autocorrelation of column j within the windows (pairs never cross two windows). */
function lagOneAutocorrelation(data: GanWindows, j: number): number {
  const { size, seqLen: l, width: f } = data;
  let sum = 0;
  for (let i = j; i < data.windows.length; i += f) sum += data.windows[i] as number;
  const mean = sum / (size * l);
  let num = 0;
  let den = 0;
  for (let i = 0; i < size; i++) {
    for (let t = 0; t < l; t++) {
      const d = (data.windows[(i * l + t) * f + j] as number) - mean;
      den += d * d;
      if (t + 1 < l) num += d * ((data.windows[(i * l + t + 1) * f + j] as number) - mean);
    }
  }
  return den > 0 ? num / den : 0;
}
