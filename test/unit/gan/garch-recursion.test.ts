import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  ewmaVolatility,
  garchParams,
  garchRecursion,
  initialGarchVariables,
  smoothColumns,
} from '../../../services/models/gan/garch-recursion.js';

/** The textbook loop, by hand: sigma_0^2 = omega / (1 - alpha - beta), then the GARCH(1,1) recursion. */
function handGarch(u: number[], omega: number, alpha: number, beta: number): number[] {
  let v = omega / (1 - alpha - beta);
  let prev = 0;
  return u.map((x, t) => {
    if (t > 0) v = omega + alpha * prev * prev + beta * v;
    const sigma = Math.sqrt(v);
    prev = sigma * x;
    return sigma;
  });
}

describe('GARCH(1,1) recursion of the generator', () => {
  it('with fixed parameters reproduces the hand-computed recursion, across blocks', () => {
    // 150 steps: three blocks of the closed form (64 + 64 + 22), so the carried state is tested too.
    const u = Array.from({ length: 150 }, (_, t) => Math.sin(1.7 * t) * (t % 7 === 0 ? 3 : 1));
    const omega = 0.05;
    const alpha = 0.12;
    const beta = 0.83;
    const want = handGarch(u, omega, alpha, beta);
    // The first steps by hand: V = 0.05 / 0.05 = 1; sigma_1^2 = 0.05 + 0.12 * 0 + 0.83 * 1 (u_0 = 0).
    expect(want[0]).toBeCloseTo(1, 12);
    expect(want[1]).toBeCloseTo(Math.sqrt(0.88), 12);
    const { sigma, eps } = tf.tidy(() =>
      garchRecursion(tf.tensor2d([u, u.map((x) => -x)]), {
        omega: tf.tensor2d([[omega], [omega]]),
        alpha: tf.tensor2d([[alpha], [alpha]]),
        beta: tf.tensor2d([[beta], [beta]]),
      }),
    );
    const s = sigma.arraySync() as number[][];
    const e = eps.arraySync() as number[][];
    for (let t = 0; t < u.length; t++) {
      expect(s[0]?.[t]).toBeCloseTo(want[t] as number, 4);
      expect(s[1]?.[t]).toBeCloseTo(want[t] as number, 4); // depends on u^2 only
      expect(e[0]?.[t]).toBeCloseTo((want[t] as number) * (u[t] as number), 4);
    }
    sigma.dispose();
    eps.dispose();
  });

  it('maps any variables to a stationary GARCH, with a label shift', () => {
    const vars = initialGarchVariables();
    vars.omega.assign(tf.tensor1d([-30, 50]));
    vars.persistence.assign(tf.tensor1d([40, -80]));
    vars.share.assign(tf.tensor1d([-40, 90]));
    const p = garchParams(vars, tf.tensor2d([[0], [1]]));
    const [omega, alpha, beta] = [p.omega, p.alpha, p.beta].map((x) => x.dataSync());
    for (const i of [0, 1]) {
      expect(omega?.[i]).toBeGreaterThan(0);
      expect(alpha?.[i]).toBeGreaterThanOrEqual(0);
      expect(beta?.[i]).toBeGreaterThanOrEqual(0);
      expect((alpha?.[i] as number) + (beta?.[i] as number)).toBeLessThan(1);
    }
    expect(omega?.[1]).toBeGreaterThan(omega?.[0] as number);
    for (const v of Object.values(vars)) v.dispose();
    for (const x of Object.values(p)) x.dispose();
  });

  it('gradients flow to the parameters through the unrolled recursion', () => {
    const vars = initialGarchVariables();
    const u = tf.tensor2d([[0.5, -2, 1, 0.1, 3, -0.4]]);
    const grads = tf.variableGrads(() =>
      garchRecursion(u, garchParams(vars, tf.tensor2d([[1]])))
        .sigma.sum()
        .asScalar(),
    );
    for (const name of ['g_garch_omega', 'g_garch_persistence', 'g_garch_share']) {
      const g = grads.grads[name]?.dataSync();
      expect(g && Array.from(g).every(Number.isFinite)).toBe(true);
      expect(Math.abs(g?.[0] as number)).toBeGreaterThan(0);
    }
    tf.dispose([u, grads.value, ...Object.values(grads.grads), ...Object.values(vars)]);
  });
});

describe("the pipeline's EWMA volatility of generated returns", () => {
  it('matches bar-features.ts: v_0 = r_0^2, v_t = lambda v_{t-1} + (1 - lambda) r_t^2, across blocks', () => {
    const r = Array.from({ length: 140 }, (_, t) => 0.01 * Math.cos(0.9 * t) + (t === 70 ? 0.08 : 0));
    const lambda = 0.94;
    let v = 0;
    const want = r.map((x, t) => {
      v = t === 0 ? x * x : lambda * v + (1 - lambda) * x * x;
      return Math.sqrt(v);
    });
    const got = tf.tidy(() => ewmaVolatility(tf.tensor2d([r]), lambda).arraySync() as number[][]);
    for (let t = 0; t < r.length; t++) expect(got[0]?.[t]).toBeCloseTo(want[t] as number, 5);
  });
});

describe('smoothing of the free columns', () => {
  it('is x_t = rho x_{t-1} + (1 - rho) y_t per column from x_0 = y_0, across blocks', () => {
    const t = 100;
    const y = Array.from({ length: t }, (_, i) => [Math.sin(i), i % 5]);
    const rho = [0.3, 0.8];
    const got = tf.tidy(
      () =>
        smoothColumns(
          tf.tensor3d([y]),
          tf.tensor1d(rho.map((r) => Math.log(r / (1 - r)))),
        ).arraySync() as number[][][],
    );
    for (const j of [0, 1]) {
      let x = 0;
      for (let i = 0; i < t; i++) {
        const v = (y[i] as number[])[j] as number;
        x = i === 0 ? v : (rho[j] as number) * x + (1 - (rho[j] as number)) * v;
        expect(got[0]?.[i]?.[j]).toBeCloseTo(x, 4);
      }
    }
  });
});
