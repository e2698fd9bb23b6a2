import { describe, expect, it } from 'vitest';
import {
  type WalkForwardJson,
  walkForwardSection,
  walkForwardVerdict,
} from '../../../services/quality/walk-forward-doc.js';

function result(model: number, forest: number, low: number, zones: string[]): WalkForwardJson {
  const interval = (r: number) => ({ rocAuc: r, low: r - 0.05, high: r + 0.05 });
  return {
    symbols: ['AAA', 'BBB'],
    unseenSymbols: ['BBB'],
    folds: zones.map((zone, i) => ({
      bundle: `risk-${i}`,
      boundaries: {
        validationStart: `201${i}-01-01T00:00:00.000Z`,
        testStart: `201${i}-10-01T00:00:00.000Z`,
      },
      period: [`201${i}-10-01`, `201${i + 1}-09-30`],
      n: 100,
      events: 5,
      trainSamples: 1000,
      rocAuc: { model, ewmaVol: 0.5, logistic: 0.52, forest },
      var99: { exceedanceRate: zone === 'green' ? 0.008 : 0.03, baselZone: zone },
    })),
    pooled: {
      n: 100 * zones.length,
      events: 5 * zones.length,
      period: ['2010-10-01', `201${zones.length}-09-30`],
      rocAuc: { model, ewmaVol: 0.5, logistic: 0.52, forest },
      aucIntervals: {
        scorers: { model: interval(model), forest: interval(forest) },
        differences: {
          forest: { rocAuc: model - forest, low, high: model - forest + 0.05, shareNotAbove: 0.2 },
        },
      },
      var99: { exceedanceRate: 0.012, kupiecP: 0.3, baselZone: 'green' },
      var95: { exceedanceRate: 0.045, kupiecP: 0.4 },
    },
    seconds: 10,
  };
}

describe('walk-forward section', () => {
  it('calls a lead clear only when it reaches the margin and its interval excludes 0', () => {
    expect(walkForwardVerdict(result(0.65, 0.58, 0.02, ['green']), 0.05)).toContain('by 0.070');
    expect(walkForwardVerdict(result(0.65, 0.58, 0.02, ['green']), 0.05)).toContain('a clear margin');
    expect(walkForwardVerdict(result(0.6, 0.58, -0.03, ['green']), 0.05)).toContain('NOT a clear margin');
    expect(walkForwardVerdict(result(0.55, 0.58, -0.1, ['green']), 0.05)).toContain(
      'does NOT beat the best baseline (forest 0.580',
    );
  });

  it('names the folds whose VaR99 is not green', () => {
    const v = walkForwardVerdict(result(0.6, 0.58, -0.03, ['yellow', 'green']), 0.05);
    expect(v).toContain('VaR99 is in the GREEN zone over the whole span');
    expect(v).toContain('but not in every fold: 2010-10-01 .. 2011-09-30 yellow (3.00%)');
  });

  it('renders one table per run with the pooled row and the command', () => {
    const text = walkForwardSection(
      [{ title: 'Held out', command: 'tsx x.ts', result: result(0.6, 0.58, -0.03, ['green', 'green']) }],
      0.05,
    ).join('\n');
    expect(text).toContain('## Walk-forward over yearly folds');
    expect(text).toContain('### Held out');
    expect(text).toContain(
      '| **pooled** (within-fold pairs) | 200 | 10 | **0.600** | 0.500 | 0.520 | 0.580 | 1.20% | green |',
    );
    expect(text).toContain('    tsx x.ts');
    expect(walkForwardSection([], 0.05)).toEqual([]);
  });
});
