import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainingData } from '../../../services/models/training-data.js';
import { DATA_DIR } from '../../../services/shared/project-paths.js';

const pricesDir = join(DATA_DIR, 'market', 'daily');
const macroDir = join(DATA_DIR, 'macro');

describe('loadTrainingData (replay -> ingest -> windowing join)', () => {
  it('builds joined bars per symbol in time order with macro known before each bar end', async () => {
    const data = await loadTrainingData({ pricesDir, macroDir, symbols: ['aapl', 'JPM'] });
    expect(data.series.map((s) => s.symbol)).toEqual(['AAPL', 'JPM']);
    expect(data.features.macro).toEqual([
      'US.VIX.CLOSE.zScore',
      'US.VIX.CLOSE.change',
      'US.CPI.YOY.zScore',
      'US.CPI.YOY.change',
      'US.RATE.LONG.zScore',
      'US.RATE.LONG.change',
    ]);
    for (const { bars } of data.series) {
      expect(bars.length).toBeGreaterThan(1_000);
      for (let i = 1; i < bars.length; i++) {
        expect(bars[i]!.bar.barEnd).toBeGreaterThan(bars[i - 1]!.bar.barEnd);
      }
      expect(bars[0]!.macro).toHaveLength(data.features.macro.length);
      expect(bars[0]!.sentiment).toHaveLength(data.features.sentiment.length);
    }
    // Without news files the sentiment state is empty (zeros) and nothing is warned.
    expect(data.series[0]!.bars[500]!.sentiment.every((v) => v === 0)).toBe(true);
    expect(data.warnings).toEqual([]);
  }, 60_000);

  it('names missing symbols and what the directory has', async () => {
    await expect(loadTrainingData({ pricesDir, macroDir, symbols: ['XYZ'] })).rejects.toThrow(
      /no price file for XYZ in .*daily \(have AAPL, AMZN/,
    );
  });
});
