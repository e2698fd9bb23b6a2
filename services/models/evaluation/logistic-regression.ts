/**
 * Ridge logistic regression fitted by Newton's method (IRLS): shared by the quality baselines
 * (services/quality/baselines/logistic-baseline.ts) and the GAN's synthetic-data checks
 * (services/models/gan/synthetic-quality.ts). Not ml-logistic-regression: that package runs a
 * fixed number of plain gradient steps with a summed (n-scaled) gradient, no intercept and one
 * model per class, which took ~10 s per 1,000 steps on 2,000 rows here and does not converge on a
 * 4% base rate in any affordable number of steps; IRLS converges in ~10 iterations of O(n d^2).
 */

export interface LogisticOptions {
  /** Ridge penalty on the (standardised) coefficients, not on the intercept. */
  l2: number;
  maxIterations: number;
  /** Stop when no coefficient moves by more than this in a Newton step. */
  tolerance: number;
}

export const DEFAULT_LOGISTIC_OPTIONS: LogisticOptions = { l2: 1, maxIterations: 50, tolerance: 1e-8 };

/** Penalised maximum likelihood by Newton-Raphson; x rows start with the intercept's 1. */
export function fitLogistic(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: LogisticOptions = DEFAULT_LOGISTIC_OPTIONS,
): number[] {
  const d = x[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  for (let iter = 0; iter < options.maxIterations; iter++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((row, i) => {
      const p = sigmoid(dot(w, row));
      const r = (y[i] as number) - p;
      const v = p * (1 - p);
      for (let a = 0; a < d; a++) {
        grad[a] = (grad[a] as number) + r * (row[a] as number);
        const ha = hess[a] as number[];
        for (let b = 0; b <= a; b++) ha[b] = (ha[b] as number) + v * (row[a] as number) * (row[b] as number);
      }
    });
    for (let a = 0; a < d; a++) {
      const ha = hess[a] as number[];
      for (let b = 0; b < a; b++) (hess[b] as number[])[a] = ha[b] as number;
      if (a > 0) {
        grad[a] = (grad[a] as number) - options.l2 * (w[a] as number);
        ha[a] = (ha[a] as number) + options.l2;
      }
      // Keeps the system solvable when a column is all zeros (e.g. a feature constant in the fit data).
      ha[a] = (ha[a] as number) + 1e-9;
    }
    const step = solve(hess, grad);
    let moved = 0;
    for (let a = 0; a < d; a++) {
      w[a] = (w[a] as number) + (step[a] as number);
      moved = Math.max(moved, Math.abs(step[a] as number));
    }
    if (moved < options.tolerance) break;
  }
  return w;
}

/** Gaussian elimination with partial pivoting on a small dense system. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs((m[r] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number))
        pivot = r;
    }
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const p = (m[col] as number[])[col] as number;
    if (p === 0) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = ((m[r] as number[])[col] as number) / p;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) {
        (m[r] as number[])[c] = ((m[r] as number[])[c] as number) - f * ((m[col] as number[])[c] as number);
      }
    }
  }
  return m.map((row, i) => {
    const p = row[i] as number;
    return p === 0 ? 0 : (row[n] as number) / p;
  });
}

export function dot(w: readonly number[], x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i] as number) * (x[i] as number);
  return s;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
