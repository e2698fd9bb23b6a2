import { describe, expect, it } from 'vitest';
import { LN5, tailMeasureArrays, tailMeasures } from '../../../services/models/runtime/risk-measures.js';

describe('tailMeasures', () => {
  it('computes VaR and ES under the exponential tail through q01 and q05', () => {
    const m = tailMeasures(-0.1, -0.05);
    const b = 0.05 / Math.log(5); // 0.0310667
    expect(m.var99).toBe(-0.1);
    expect(m.var95).toBe(-0.05);
    expect(m.es95).toBeCloseTo(-0.05 - b, 12);
    expect(m.es99).toBeCloseTo(-0.1 - b, 12);
    expect(m.es95).toBeCloseTo(-0.0810667, 6);
  });

  it('matches a numerical integral of the assumed quantile function', () => {
    const q01 = -0.08;
    const q05 = -0.03;
    const b = (q05 - q01) / LN5;
    const q = (u: number) => q01 + b * Math.log(u / 0.01);
    const es = (alpha: number) => {
      const steps = 200_000;
      let sum = 0;
      for (let i = 0; i < steps; i++) sum += q(((i + 0.5) / steps) * alpha);
      return sum / steps;
    };
    const m = tailMeasures(q01, q05);
    expect(m.es95).toBeCloseTo(es(0.05), 4);
    expect(m.es99).toBeCloseTo(es(0.01), 4);
  });

  it('collapses ES to VaR when the quantiles coincide, and works on arrays', () => {
    expect(tailMeasures(-0.02, -0.02)).toEqual({ var95: -0.02, var99: -0.02, es95: -0.02, es99: -0.02 });
    const arrays = tailMeasureArrays(Float32Array.of(-0.1, -0.02), Float32Array.of(-0.05, -0.02));
    expect(arrays.es99[0]).toBeCloseTo(-0.1 - 0.05 / LN5, 6);
    expect(arrays.es95[1]).toBeCloseTo(-0.02, 7);
  });
});
