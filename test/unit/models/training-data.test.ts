import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  corwinSchultzSpread,
  loadJoinedBarsForTraining,
  marketBarsFromDaily,
} from '../../../services/models/training-data.js';

const row = (date: string, o: number, h: number, l: number, c: number, adj: number, v: number) => ({
  Date: date,
  Open: String(o),
  High: String(h),
  Low: String(l),
  Close: String(c),
  'Adj Close': String(adj),
  Volume: String(v),
});

describe('marketBarsFromDaily (temporary CSV path)', () => {
  it('adjusts prices and computes returns, range and EWMA vol', () => {
    const { bars, skipped } = marketBarsFromDaily('XYZ', [
      row('2016-01-04', 100, 101, 99, 100, 50, 1000),
      { ...row('2016-01-05', 0, 0, 0, 0, 0, 0), Close: 'null' },
      row('2016-01-06', 110, 111, 109, 110, 55, 2000),
      row('2016-01-07', 54, 55, 53, 54, 54, 1500),
    ]);
    expect(skipped).toBe(1);
    expect(bars).toHaveLength(3);
    expect(bars[0]).toMatchObject({
      symbol: 'XYZ',
      id: `XYZ|${Date.UTC(2016, 0, 5)}`,
      close: 50,
      logReturn: 0,
    });
    expect(bars[0]!.barStart).toBe(Date.UTC(2016, 0, 4));
    expect(bars[0]!.high).toBeCloseTo(50.5, 12);
    expect(bars[0]!.hlRange).toBeCloseTo(Math.log(101 / 99), 12);
    expect(bars[1]!.logReturn).toBeCloseTo(Math.log(55 / 50), 12);
    expect(bars[2]!.logReturn).toBeCloseTo(Math.log(54 / 55), 12);
    expect(bars[0]!.ewmaVol).toBe(0);
    expect(bars[1]!.ewmaVol).toBeCloseTo(0.09531017980432493, 12);
    expect(bars[2]!.ewmaVol).toBeCloseTo(0.09251589055543197, 12);
    expect(bars[0]!.volumeZ).toBe(0);
    expect(bars[1]!.volumeZ).toBe(0);
    const d = Math.log1p(2000) - Math.log1p(1000);
    const mean = Math.log1p(1000) + 0.06 * d;
    const variance = 0.94 * 0.06 * d * d;
    expect(bars[2]!.volumeZ).toBeCloseTo((Math.log1p(1500) - mean) / Math.sqrt(variance), 10);
  });

  it('estimates the Corwin-Schultz spread and floors negative estimates at 0', () => {
    // Two identical bars 101/99: alpha = 0.0200007, S = 2 (e^a - 1) / (1 + e^a) = 0.02
    expect(corwinSchultzSpread(101, 99, 101, 99)).toBeCloseTo(0.02, 12);
    expect(corwinSchultzSpread(101, 99, 102, 100)).toBe(0);
  });
});

describe('loadJoinedBarsForTraining', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'training-data-'));
    await mkdir(join(dir, 'prices'));
    await mkdir(join(dir, 'macro'));
    await writeFile(
      join(dir, 'prices', 'ABC.csv'),
      'Date,Open,High,Low,Close,Adj Close,Volume\n2016-02-01,10,11,9,10,10,100\n2016-02-02,10,11,9,10.5,10.5,120\n',
    );
    await writeFile(
      join(dir, 'macro', 'vix-daily.csv'),
      'DATE,OPEN,HIGH,LOW,CLOSE\n2016-01-29,1,1,1,20\n2016-02-01,1,1,1,22\n2016-02-02,1,1,1,99\n',
    );
    const cpi = ['Date,Index,Inflation'];
    for (let m = 0; m < 14; m++)
      cpi.push(`${2015 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01,${100 + m},`);
    await writeFile(join(dir, 'macro', 'cpi-us-monthly.csv'), `${cpi.join('\n')}\n`);
    await writeFile(
      join(dir, 'macro', 'sp500-shiller-monthly.csv'),
      'Date,SP500,Dividend,Earnings,Consumer Price Index,Long Interest Rate,Real Price,Real Dividend,Real Earnings,PE10\n2015-12-01,1,0,0,0,2.0,0,0,0,0\n2016-01-01,1,0,0,0,2.5,0,0,0,0\n2016-02-01,1,0,0,0,9.9,0,0,0,0\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('joins macro values as of each bar end without look-ahead', async () => {
    const data = await loadJoinedBarsForTraining({
      pricesDir: join(dir, 'prices'),
      macroDir: join(dir, 'macro'),
      newsFile: 'tweets.csv',
    });
    expect(data.features.macro).toEqual([
      'US.VIX.CLOSE.zScore',
      'US.VIX.CLOSE.change',
      'US.CPI.YOY.zScore',
      'US.CPI.YOY.change',
      'US.RATE.LONG.zScore',
      'US.RATE.LONG.change',
    ]);
    const [first, second] = data.series[0]!.bars;
    // Bar of 2016-02-01 ends 02-02 00:00Z: VIX of 02-01 (22, change +2) is known, 02-02's 99 is not.
    expect(first!.macro[1]).toBe(2);
    expect(second!.macro[1]).toBe(77);
    // The first CPI YoY point (2016-01: 112/100) is released 2016-02-15: nothing is known yet.
    expect(Number.isNaN(first!.macro[2]!)).toBe(true);
    // Long rate of 2016-01 (2.5) is known from 2016-02-01; 2016-02's 9.9 is not.
    expect(first!.macro[5]).toBeCloseTo(0.5, 12);
    expect(first!.sentiment).toEqual([0, 0, 0, 0, 0]);
    expect(data.warnings[0]).toMatch(/tweets\.csv: the bundled news has no timestamps/);
  });

  it('names missing symbols', async () => {
    await expect(
      loadJoinedBarsForTraining({
        pricesDir: join(dir, 'prices'),
        macroDir: join(dir, 'macro'),
        symbols: ['XYZ'],
      }),
    ).rejects.toThrow(/no price file for XYZ .* \(have ABC\)/);
  });
});
