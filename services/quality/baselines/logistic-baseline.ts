import {
  DEFAULT_LOGISTIC_OPTIONS,
  dot,
  fitLogistic,
  type LogisticOptions,
  sigmoid,
} from '../../models/evaluation/logistic-regression.js';
import type { LabelledSample } from '../walk-forward.js';
import {
  type BaselineContext,
  type FittedBaseline,
  fitStandardizer,
  lastBarFeatures,
  standardize,
} from './baseline.js';

/**
 * Logistic regression on the last bar's standardised features (market fields, macro, sentiment),
 * fitted by Newton's method (IRLS) with a small ridge (services/models/evaluation/logistic-regression.ts).
 */
export function fitLogisticBaseline(
  ctx: BaselineContext,
  fit: readonly LabelledSample[],
  options: LogisticOptions = DEFAULT_LOGISTIC_OPTIONS,
): FittedBaseline {
  if (fit.length === 0) throw new RangeError('the logistic baseline needs fit samples before the cutoff');
  const raw = fit.map((s) => lastBarFeatures(ctx, s));
  const scaler = fitStandardizer(raw);
  const x = raw.map((r) => [1, ...standardize(r, scaler)]);
  const y = fit.map((s) => s.event);
  const w = fitLogistic(x, y, options);
  return {
    name: 'logistic',
    params: Object.fromEntries(w.map((v, j) => [j === 0 ? 'intercept' : `w${j}`, v])),
    score: (samples) =>
      Float64Array.from(samples, (s) =>
        sigmoid(dot(w, [1, ...standardize(lastBarFeatures(ctx, s), scaler)])),
      ),
  };
}
