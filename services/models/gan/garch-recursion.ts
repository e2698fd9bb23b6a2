import * as tf from '@tensorflow/tfjs';

/**
 * The generator's volatility memory: a GARCH(1,1) recursion unrolled over the time axis in tfjs
 * ops, so it is differentiable in its parameters and in the innovations that feed it,
 *   sigma_t^2 = omega + alpha * eps_{t-1}^2 + beta * sigma_{t-1}^2,   eps_t = sigma_t * u_t,
 * with u_t the standardised innovations. A dense generator over a window of shared noise forgets
 * a shock after its noise context (measured: acf(|r|) < 0 from lag 3); the recursion keeps it at
 * rate alpha + beta per step for as long as the path runs, at the cost of ~6 small ops per step.
 */

export interface GarchParams {
  /** Each [B, 1]: one set per sequence (they may depend on its condition). */
  omega: tf.Tensor;
  alpha: tf.Tensor;
  beta: tf.Tensor;
}

/** Steps solved at once by the closed forms below ([B, n, n] intermediates); longer paths go block by block. */
const BLOCK = 64;

/**
 * The recursion over u [B, T]; returns sigma [B, T] and eps = sigma * u [B, T]. sigma_0^2 is the
 * stationary variance V = omega / (1 - alpha - beta) (the caller drops a burn-in so the start does
 * not matter); the constraints omega > 0, alpha, beta >= 0, alpha + beta < 1 are the caller's
 * (garchParams below guarantees them).
 *
 * Unrolling step by step costs ~6 tfjs ops per step (forward and again backward), which dominated
 * a training step. Since alpha eps_{t-1}^2 + beta sigma_{t-1}^2 = c_t sigma_{t-1}^2 with
 * c_t = alpha u_{t-1}^2 + beta, the recursion is linear in sigma^2 with known coefficients:
 *   sigma_t^2 = P_t v + omega sum_{s=a..t} P_t / P_s,   P_t = prod_{k=a..t} c_k,
 * from the variance v before a block starting at a. Ratios of products are exp of differences of
 * cumsum(ln c), masked to s <= t: a handful of ops per block of up to 64 steps. The first block
 * starts from v = V with u_{-1}^2 = 1, which gives sigma_0^2 = omega + (alpha + beta) V = V.
 */
export function garchRecursion(u: tf.Tensor, params: GarchParams): { sigma: tf.Tensor; eps: tf.Tensor } {
  return tf.tidy(() => {
    const [b, t] = u.shape as [number, number];
    const { omega, alpha, beta } = params;
    let variance = omega.div(tf.scalar(1).sub(alpha).sub(beta));
    let previous: tf.Tensor = tf.ones([b, 1]);
    const sigmas: tf.Tensor[] = [];
    for (let a = 0; a < t; a += BLOCK) {
      const n = Math.min(BLOCK, t - a);
      const block = u.slice([0, a], [b, n]);
      const lagged = n > 1 ? tf.concat([previous, block.slice([0, 0], [b, n - 1])], 1) : previous;
      const logC = alpha.mul(lagged.square()).add(beta).add(1e-12).log();
      const cum = logC.cumsum(1);
      const exponent = cum.expandDims(2).sub(cum.expandDims(1));
      const lower = tf.linalg.bandPart(tf.ones([n, n]), -1, 0).cast('bool');
      const ratios = tf
        .where(lower, exponent, tf.fill([b, n, n], -1e30))
        .exp()
        .sum(2);
      const block2 = cum.exp().mul(variance).add(omega.mul(ratios));
      sigmas.push(block2.sqrt());
      variance = block2.slice([0, n - 1], [b, 1]);
      previous = block.slice([0, n - 1], [b, 1]);
    }
    const sigma = sigmas.length === 1 ? (sigmas[0] as tf.Tensor) : tf.concat(sigmas, 1);
    return { sigma, eps: sigma.mul(u) };
  });
}

/** Unconstrained parameters, each a [2] variable: a base value and its shift under label 1. */
export interface GarchVariables {
  omega: tf.Variable;
  persistence: tf.Variable;
  share: tf.Variable;
}

/**
 * Constrained GARCH parameters for condition labels c [B, 1]: omega = softplus(o0 + o1 c) + 1e-6,
 * alpha + beta = p = 0.999 sigmoid(p0 + p1 c) < 1, alpha = p sigmoid(s0 + s1 c), beta = p - alpha,
 * so every value of the variables is a valid (stationary) GARCH(1,1).
 */
export function garchParams(vars: GarchVariables, label: tf.Tensor): GarchParams {
  return tf.tidy(() => {
    const affine = (v: tf.Variable) => {
      const [a, b] = tf.split(v, 2);
      return (a as tf.Tensor).add(label.mul(b as tf.Tensor));
    };
    const omega = tf.softplus(affine(vars.omega)).add(1e-6);
    const p = tf.sigmoid(affine(vars.persistence)).mul(0.999);
    const alpha = p.mul(tf.sigmoid(affine(vars.share)));
    return { omega, alpha, beta: p.sub(alpha) };
  });
}

/**
 * Variables starting at a typical daily-equity GARCH: alpha 0.1, beta 0.85 (persistence 0.95) and
 * the stationary variance 1 (omega 0.05, unit scaled returns), with no label shift.
 */
export function initialGarchVariables(): GarchVariables {
  const logit = (x: number) => Math.log(x / (1 - x));
  const inverseSoftplus = (x: number) => Math.log(Math.expm1(x));
  return {
    omega: tf.variable(tf.tensor1d([inverseSoftplus(0.05), 0]), true, 'g_garch_omega'),
    persistence: tf.variable(tf.tensor1d([logit(0.95 / 0.999), 0]), true, 'g_garch_persistence'),
    share: tf.variable(tf.tensor1d([logit(0.1 / 0.95), 0]), true, 'g_garch_share'),
  };
}

/**
 * The pipeline's EWMA volatility (services/ingest/ticks/bar-features.ts) of returns r [B, T]:
 * v_0 = r_0^2, v_t = lambda v_{t-1} + (1 - lambda) r_t^2, output sqrt(v_t). A synthetic window's
 * ewmaVol column is computed from its own returns this way, so the two are consistent as they
 * are in real bars. Linear in r^2, so each block is one matrix product with the weights
 * W[s, t] = (1 - lambda) lambda^(t - s), s <= t, plus lambda^(t - a + 1) of the variance before
 * the block (r_0^2 for the first, which gives v_0 = r_0^2).
 */
export function ewmaVolatility(r: tf.Tensor, lambda: number): tf.Tensor {
  return tf.tidy(() => {
    const [b, t] = r.shape as [number, number];
    const squares = r.square();
    let variance = squares.slice([0, 0], [b, 1]);
    const out: tf.Tensor[] = [];
    for (let a = 0; a < t; a += BLOCK) {
      const n = Math.min(BLOCK, t - a);
      const weights = new Float32Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = i; j < n; j++) weights[i * n + j] = (1 - lambda) * lambda ** (j - i);
      const decay = tf.tensor2d(
        Float32Array.from({ length: n }, (_, j) => lambda ** (j + 1)),
        [1, n],
      );
      const v = squares
        .slice([0, a], [b, n])
        .matMul(tf.tensor2d(weights, [n, n]))
        .add(variance.mul(decay));
      out.push(v);
      variance = v.slice([0, n - 1], [b, 1]);
    }
    // sqrt has an infinite gradient at 0 (a zero return at t = 0); the floor keeps it finite.
    return (out.length === 1 ? (out[0] as tf.Tensor) : tf.concat(out, 1)).add(1e-12).sqrt();
  });
}

/**
 * Exponential smoothing x_t = rho_j x_{t-1} + (1 - rho_j) y_t of each column j of y [B, T, F]
 * with a learnable rho_j = sigmoid(raw_j) (raw [F]), starting at x_0 = y_0. Some of the pipeline's
 * columns are smooth by construction (spreadBps is a 20-day mean of Corwin-Schultz estimates,
 * volumeZ is scored against EWMA statistics); fresh noise at every step cannot be, and a window's
 * mean |step| then gave the synthetic ones away. Linear in y: one batched matrix product per block.
 */
export function smoothColumns(y: tf.Tensor, raw: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [b, t, f] = y.shape as [number, number, number];
    const rho = tf.sigmoid(raw).reshape([f, 1, 1]);
    const logRho = rho.add(1e-12).log();
    const columns = y.transpose([2, 0, 1]); // [F, B, T]
    let state = columns.slice([0, 0, 0], [f, b, 1]);
    const out: tf.Tensor[] = [];
    for (let a = 0; a < t; a += BLOCK) {
      const n = Math.min(BLOCK, t - a);
      const lags = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lags[i * n + j] = j >= i ? j - i : -1;
      const lag = tf.tensor2d(lags, [n, n]);
      const weights = tf.where(
        lag.greaterEqual(0).expandDims(0).tile([f, 1, 1]),
        lag.expandDims(0).mul(logRho).exp().mul(tf.scalar(1).sub(rho)),
        tf.zeros([f, n, n]),
      );
      const decay = tf
        .tensor1d(Float32Array.from({ length: n }, (_, j) => j + 1))
        .reshape([1, 1, n])
        .mul(logRho)
        .exp();
      const x = columns.slice([0, 0, a], [f, b, n]).matMul(weights).add(state.mul(decay));
      out.push(x);
      state = x.slice([0, 0, n - 1], [f, b, 1]);
    }
    return (out.length === 1 ? (out[0] as tf.Tensor) : tf.concat(out, 2)).transpose([1, 2, 0]);
  });
}
