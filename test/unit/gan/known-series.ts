import { SeededRandom } from '../../../services/models/training/seeded-random.js';

/** Standard normal draws by Box-Muller from the project's seeded PRNG. */
export function gaussians(n: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(1e-12, rng.next());
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  }
  return out;
}

/**
 * GARCH(1,1) returns r_t = sigma_t z_t, sigma_t^2 = omega + alpha r_{t-1}^2 + beta sigma_{t-1}^2,
 * z_t iid N(0,1). With alpha = 0.1, beta = 0.85 the excess kurtosis is
 * 3 (1 - (a+b)^2) / (1 - (a+b)^2 - 2a^2) - 3 = 0.774 and |r| is positively autocorrelated.
 */
export function garch11(
  n: number,
  seed: number,
  p: { omega: number; alpha: number; beta: number } = { omega: 1e-6, alpha: 0.1, beta: 0.85 },
): Float64Array {
  const z = gaussians(n + 500, seed);
  const out = new Float64Array(n);
  let variance = p.omega / (1 - p.alpha - p.beta);
  let previous = 0;
  for (let t = 0; t < n + 500; t++) {
    variance = p.omega + p.alpha * previous * previous + p.beta * variance;
    previous = Math.sqrt(variance) * (z[t] as number);
    // The first 500 draws are burn-in, away from the unconditional start.
    if (t >= 500) out[t - 500] = previous;
  }
  return out;
}
