import { describe, expect, it } from 'vitest';
import {
  backtestVar,
  baselZone,
  chiSquare1UpperTail,
  christoffersenIndependence,
  kupiecPof,
  transitionCounts,
} from '../../../services/quality/var-backtest.js';

describe('chi-square(1) upper tail', () => {
  it('matches tabulated critical values', () => {
    expect(chiSquare1UpperTail(3.841459)).toBeCloseTo(0.05, 5);
    expect(chiSquare1UpperTail(6.634897)).toBeCloseTo(0.01, 5);
    expect(chiSquare1UpperTail(0)).toBe(1);
  });
});

describe('Kupiec proportion of failures', () => {
  // Reference values computed by hand from LR = -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x].
  it('n=250, x=5 at p=0.01: LR 1.957, p 0.162', () => {
    const r = kupiecPof(250, 5, 0.01);
    expect(r.lr).toBeCloseTo(1.9568, 3);
    expect(r.p).toBeCloseTo(0.1619, 3);
  });
  it('no exceptions in 250 at p=0.01: LR = -2 * 250 ln 0.99 = 5.025, p 0.025', () => {
    const r = kupiecPof(250, 0, 0.01);
    expect(r.lr).toBeCloseTo(5.0252, 3);
    expect(r.p).toBeCloseTo(0.02498, 4);
  });
  it('n=1000, x=60 at p=0.05: LR 1.984, p 0.159', () => {
    const r = kupiecPof(1000, 60, 0.05);
    expect(r.lr).toBeCloseTo(1.9842, 3);
    expect(r.p).toBeCloseTo(0.1589, 3);
  });
  it('exactly nominal coverage gives LR 0 and p 1', () => {
    expect(kupiecPof(100, 5, 0.05)).toEqual({ lr: 0, p: 1 });
  });
  it('rejects impossible counts, and is undefined on no data', () => {
    expect(() => kupiecPof(10, 11, 0.01)).toThrow(/0 <= x <= n/);
    expect(Number.isNaN(kupiecPof(0, 0, 0.01).p)).toBe(true);
  });
});

describe('Christoffersen independence', () => {
  it('counts transitions within each sequence, never across sequences', () => {
    expect(transitionCounts([[false, true, true, false, false]])).toEqual({ n00: 1, n01: 1, n10: 1, n11: 1 });
    // The boundary between the two sequences (true -> true) is not a transition.
    expect(
      transitionCounts([
        [false, true],
        [true, false],
      ]),
    ).toEqual({ n00: 0, n01: 1, n10: 1, n11: 0 });
  });
  it('n00=80, n01=8, n10=8, n11=3: LR 2.562, p 0.109 (hand computed)', () => {
    const r = christoffersenIndependence({ n00: 80, n01: 8, n10: 8, n11: 3 });
    expect(r.lr).toBeCloseTo(2.5618, 3);
    expect(r.p).toBeCloseTo(0.1095, 3);
  });
  it('isolated hits (never two in a row) with pi1 = 0 follow the formula with 0 ln 0 = 0', () => {
    // pi = 5/100, pi0 = 5/95, pi1 = 0.
    const c = { n00: 90, n01: 5, n10: 5, n11: 0 };
    const pi = 5 / 100;
    const pi0 = 5 / 95;
    const want =
      -2 * (95 * Math.log(1 - pi) + 5 * Math.log(pi)) + 2 * (90 * Math.log(1 - pi0) + 5 * Math.log(pi0));
    expect(christoffersenIndependence(c).lr).toBeCloseTo(want, 10);
  });
  it('clustered hits are rejected', () => {
    expect(christoffersenIndependence({ n00: 180, n01: 5, n10: 5, n11: 10 }).p).toBeLessThan(1e-6);
  });
});

describe('Basel traffic light', () => {
  it('per 250 observations: 0-4 green, 5-9 yellow, 10+ red', () => {
    expect([0, 4, 5, 9, 10, 20].map((x) => baselZone(250, x))).toEqual([
      'green',
      'green',
      'yellow',
      'yellow',
      'red',
      'red',
    ]);
  });
  it('scales other sample sizes to 250', () => {
    expect(baselZone(500, 9)).toBe('green');
    expect(baselZone(500, 10)).toBe('yellow');
    expect(baselZone(500, 20)).toBe('red');
    expect(baselZone(125, 2)).toBe('green');
    expect(baselZone(125, 3)).toBe('yellow');
  });
});

describe('backtestVar', () => {
  it('counts outcomes strictly below the VaR and pools the sequences', () => {
    const r = backtestVar(
      [
        { outcome: [-0.1, 0.01, -0.05], var: [-0.05, -0.05, -0.05] },
        { outcome: [-0.2, 0], var: [-0.1, -0.1] },
      ],
      0.05,
    );
    expect(r.n).toBe(5);
    expect(r.exceedances).toBe(2);
    expect(r.exceedanceRate).toBeCloseTo(0.4, 12);
    expect(r.kupiecP).toBeCloseTo(kupiecPof(5, 2, 0.05).p, 12);
  });
});
