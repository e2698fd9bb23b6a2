import { checkLengths } from './ranking-metrics.js';

/** Mean absolute error. */
export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = checkLengths(predicted, actual);
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs((predicted[i] as number) - (actual[i] as number));
  return sum / n;
}

/**
 * Share of outcomes strictly below the predicted quantile; a well-calibrated tau-quantile
 * forecast covers about tau of the outcomes.
 */
export function quantileCoverage(quantiles: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = checkLengths(quantiles, actual);
  if (n === 0) return Number.NaN;
  let below = 0;
  for (let i = 0; i < n; i++) if ((actual[i] as number) < (quantiles[i] as number)) below++;
  return below / n;
}

/** Mean pinball (quantile) loss max(tau * u, (tau - 1) * u) with u = actual - quantile. */
export function meanPinballLoss(
  quantiles: ArrayLike<number>,
  actual: ArrayLike<number>,
  tau: number,
): number {
  const n = checkLengths(quantiles, actual);
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const u = (actual[i] as number) - (quantiles[i] as number);
    sum += Math.max(tau * u, (tau - 1) * u);
  }
  return sum / n;
}
