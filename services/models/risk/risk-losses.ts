import * as tf from '@tensorflow/tfjs';

/** Probabilities are clipped to [EPS, 1 - EPS] before the logs. */
const EPS = 1e-7;

/**
 * Positive-class weight for rare events: n_neg / n_pos, capped so a handful of positives cannot
 * dominate the gradient; 1 when either class is absent.
 */
export function eventPositiveWeight(positives: number, negatives: number, cap = 20): number {
  if (positives <= 0 || negatives <= 0) return 1;
  return Math.min(cap, negatives / positives);
}

/**
 * Weighted binary cross-entropy: -mean(w * y * log(p) + (1 - y) * log(1 - p)).
 * yTrue and yPred have the same shape ([B] or [B, 1]).
 */
export function weightedBinaryCrossEntropy(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  positiveWeight: number,
): tf.Scalar {
  return tf.tidy(() => {
    const y = yTrue.reshape([-1]);
    const p = yPred.reshape([-1]).clipByValue(EPS, 1 - EPS);
    const positive = y.mul(p.log()).mul(positiveWeight);
    const negative = tf.scalar(1).sub(y).mul(tf.scalar(1).sub(p).log());
    return positive.add(negative).mean().neg() as tf.Scalar;
  });
}

/**
 * Huber loss on the log scale: with d = log(pred + floor) - log(actual + floor),
 * 0.5 d^2 when |d| <= delta, else delta (|d| - 0.5 delta). The log scale makes a forecast that is
 * half or double the outcome equally wrong in calm and stormy periods; the floor (1 bp) keeps
 * zero-volatility horizons finite.
 */
export function logHuberLoss(yTrue: tf.Tensor, yPred: tf.Tensor, delta = 1, floor = 1e-4): tf.Scalar {
  return tf.tidy(() => {
    const d = yPred
      .reshape([-1])
      .add(floor)
      .log()
      .sub(yTrue.reshape([-1]).add(floor).log());
    const a = d.abs();
    const quadratic = a.minimum(delta);
    const linear = a.sub(quadratic);
    return quadratic.square().mul(0.5).add(linear.mul(delta)).mean() as tf.Scalar;
  });
}

/**
 * Pinball (quantile) loss averaged over samples and quantile levels:
 * rho_tau(u) = max(tau * u, (tau - 1) * u) with u = y - q. yTrue [B], yPred [B, Q], taus [Q].
 * Divided by `scale` (the training std of the return label) so the term is commensurate with
 * the other heads' losses.
 */
export function pinballLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  taus: readonly number[],
  scale = 1,
): tf.Scalar {
  return tf.tidy(() => {
    const q = yPred.reshape([-1, taus.length]);
    const u = yTrue.reshape([-1, 1]).sub(q);
    const tau = tf.tensor1d([...taus]).reshape([1, taus.length]);
    return tf
      .maximum(u.mul(tau), u.mul(tau.sub(1)))
      .mean()
      .div(scale) as tf.Scalar;
  });
}
