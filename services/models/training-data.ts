/**
 * TEMPORARY training-data path: reads the daily price CSVs and macro CSVs directly and computes
 * MarketBar features and as-of macro vectors with the formulas below.
 *
 * TO BE REPLACED by the replay -> ingest -> windowing-join path on the embedded bus, so that the
 * features a model is trained on are computed by the same code that computes them in production.
 * Until then, keep these formulas in step with docs/ingest.md. Only the train CLI calls this.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  DEFAULT_MACRO_INDICATORS,
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../shared/contracts/feature-lists.js';
import type { MarketBar } from '../shared/contracts/records.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';
import type { RiskFeatureNames, SymbolSeries } from './risk/risk-dataset.js';

export interface TrainingDataOptions {
  /** Directory of <SYMBOL>.csv files: Date,Open,High,Low,Close,Adj Close,Volume. */
  pricesDir: string;
  /** Directory with vix-daily.csv, cpi-us-monthly.csv, sp500-shiller-monthly.csv. */
  macroDir: string;
  /** News file; the bundled tweets carry no timestamps, so sentiment stays zero (warned). */
  newsFile?: string;
  /** Restrict to these symbols (default: every CSV in pricesDir). */
  symbols?: readonly string[];
}

export interface TrainingData {
  series: SymbolSeries[];
  features: RiskFeatureNames;
  warnings: string[];
}

const DAY_MS = 86_400_000;
/** RiskMetrics decay for ewmaVol and for the volume z-score's mean and variance. */
const LAMBDA = 0.94;
/** Macro z-scores use the last this-many observations (including the current one). */
const MACRO_Z_WINDOW = 60;

export async function loadJoinedBarsForTraining(options: TrainingDataOptions): Promise<TrainingData> {
  const warnings: string[] = [];
  const files = (await readdir(options.pricesDir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  const available = files.map((f) => basename(f, '.csv').toUpperCase());
  const wanted = options.symbols?.map((s) => s.toUpperCase()) ?? available;
  const missing = wanted.filter((s) => !available.includes(s));
  if (missing.length > 0) {
    throw new Error(
      `no price file for ${missing.join(', ')} in ${options.pricesDir} (have ${available.join(', ')})`,
    );
  }
  const macro = await loadMacroSeries(options.macroDir);
  if (options.newsFile) {
    warnings.push(
      `${options.newsFile}: the bundled news has no timestamps, so it cannot be joined as of a bar; sentiment features are 0 in this training run`,
    );
  }
  const series: SymbolSeries[] = [];
  for (const symbol of wanted) {
    const file = files[available.indexOf(symbol)] as string;
    const rows = parseCsv(
      await readFile(join(options.pricesDir, file), 'utf8'),
      join(options.pricesDir, file),
    );
    const { bars, skipped } = marketBarsFromDaily(symbol, rows);
    if (skipped > 0) warnings.push(`${file}: skipped ${skipped} rows with missing or non-positive prices`);
    series.push({
      symbol,
      bars: bars.map(
        (bar): JoinedBar => ({
          bar,
          macro: macro.flatMap((m) => macroAsOf(m, bar.barEnd)),
          sentiment: SENTIMENT_FEATURES.map(() => 0),
        }),
      ),
    });
  }
  return {
    series,
    features: {
      market: [...MARKET_FEATURES],
      macro: macroFeatureNames(DEFAULT_MACRO_INDICATORS),
      sentiment: [...SENTIMENT_FEATURES],
    },
    warnings,
  };
}

type Row = Record<string, string>;

function parseCsv(text: string, name: string): Row[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (header.length < 2)
    throw new Error(`${name}: expected a CSV header, got ${JSON.stringify(lines[0] ?? '')}`);
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

const dayStart = (date: string) => {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(t)) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return t;
};

/**
 * Daily rows -> MarketBar. Prices are split/dividend adjusted with Adj Close / Close. A bar covers
 * its UTC calendar day: barStart = date 00:00Z, barEnd = next day 00:00Z.
 *   logReturn = ln(C_t / C_{t-1}) (0 for the first bar)
 *   hlRange   = ln(H_t / L_t)
 *   ewmaVol   = sqrt(s2_t), s2_t = 0.94 s2_{t-1} + 0.06 r_t^2, s2_1 = r_1^2 (first bar: 0)
 *   spreadBps = 1e4 * Corwin-Schultz spread from the highs/lows of bars t-1 and t (0 if negative)
 *   imbalance = 0 (no quotes in daily data)
 *   volumeZ   = (x_t - m_{t-1}) / sqrt(v_{t-1}), x = ln(1 + volume), m/v EWMA mean and variance
 *               (lambda 0.94), 0 while v is 0
 */
export function marketBarsFromDaily(
  symbol: string,
  rows: readonly Row[],
): { bars: MarketBar[]; skipped: number } {
  const bars: MarketBar[] = [];
  let skipped = 0;
  let prev: { close: number; high: number; low: number } | null = null;
  let variance = 0;
  let volMean = 0;
  let volVar = 0;
  for (const row of rows) {
    const close = Number(row.Close);
    const adj = Number(row['Adj Close'] ?? row.Close);
    const factor = adj / close;
    const open = Number(row.Open) * factor;
    const high = Number(row.High) * factor;
    const low = Number(row.Low) * factor;
    const volume = Number(row.Volume);
    if (![open, high, low, adj, volume].every(Number.isFinite) || !(low > 0 && high >= low && adj > 0)) {
      skipped++;
      continue;
    }
    const barStart = dayStart(row.Date ?? '');
    const logReturn = prev ? Math.log(adj / prev.close) : 0;
    variance =
      bars.length <= 1 ? logReturn * logReturn : LAMBDA * variance + (1 - LAMBDA) * logReturn * logReturn;
    const x = Math.log1p(volume);
    let volumeZ = 0;
    if (bars.length === 0) {
      volMean = x;
      volVar = 0;
    } else {
      const d = x - volMean;
      volumeZ = volVar > 0 ? d / Math.sqrt(volVar) : 0;
      volMean += (1 - LAMBDA) * d;
      volVar = LAMBDA * (volVar + (1 - LAMBDA) * d * d);
    }
    bars.push({
      id: `${symbol}|${barStart + DAY_MS}`,
      symbol,
      barStart,
      barEnd: barStart + DAY_MS,
      open,
      high,
      low,
      close: adj,
      vwap: (high + low + adj) / 3,
      volume,
      trades: 1,
      filled: false,
      logReturn,
      hlRange: Math.log(high / low),
      ewmaVol: Math.sqrt(variance),
      spreadBps: prev ? 1e4 * corwinSchultzSpread(prev.high, prev.low, high, low) : 0,
      imbalance: 0,
      volumeZ,
      firstOffset: null,
    });
    prev = { close: adj, high, low };
  }
  return { bars, skipped };
}

/**
 * Corwin & Schultz (2012) bid-ask spread from two consecutive highs and lows:
 *   beta = ln(H1/L1)^2 + ln(H2/L2)^2, gamma = ln(max(H1,H2) / min(L1,L2))^2,
 *   alpha = (sqrt(2 beta) - sqrt(beta)) / (3 - 2 sqrt 2) - sqrt(gamma / (3 - 2 sqrt 2)),
 *   S = 2 (e^alpha - 1) / (1 + e^alpha), negative estimates set to 0.
 */
export function corwinSchultzSpread(h1: number, l1: number, h2: number, l2: number): number {
  const k = 3 - 2 * Math.SQRT2;
  const beta = Math.log(h1 / l1) ** 2 + Math.log(h2 / l2) ** 2;
  const gamma = Math.log(Math.max(h1, h2) / Math.min(l1, l2)) ** 2;
  const alpha = (Math.sqrt(2 * beta) - Math.sqrt(beta)) / k - Math.sqrt(gamma / k);
  const s = (2 * (Math.exp(alpha) - 1)) / (1 + Math.exp(alpha));
  return Math.max(0, s);
}

/** One macro indicator's releases, oldest first, with the features known from each release on. */
interface MacroSeries {
  id: string;
  releases: { releaseTime: number; zScore: number; change: number }[];
}

/**
 * The three default indicators (DEFAULT_MACRO_INDICATORS), with release times that avoid
 * look-ahead: VIX close of day D from D+1 00:00Z; CPI for month m (YoY % from the index) from the
 * 15th of month m+1 (BLS publishes mid-month); Shiller's long rate for month m (a monthly average)
 * from the 1st of month m+1. change = value - previous value; zScore over the last 60 values.
 */
async function loadMacroSeries(dir: string): Promise<MacroSeries[]> {
  const read = async (file: string) => parseCsv(await readFile(join(dir, file), 'utf8'), join(dir, file));
  const vix = (await read('vix-daily.csv'))
    .map((r) => ({ time: dayStart(r.DATE ?? '') + DAY_MS, value: Number(r.CLOSE) }))
    .filter((p) => Number.isFinite(p.value));
  const cpiRows = (await read('cpi-us-monthly.csv')).map((r) => ({
    month: r.Date ?? '',
    index: Number(r.Index),
  }));
  const cpi: { time: number; value: number }[] = [];
  for (let i = 12; i < cpiRows.length; i++) {
    const now = cpiRows[i] as { month: string; index: number };
    const yearAgo = cpiRows[i - 12] as { month: string; index: number };
    if (!(now.index > 0 && yearAgo.index > 0)) continue;
    cpi.push({ time: nextMonth(now.month) + 14 * DAY_MS, value: 100 * (now.index / yearAgo.index - 1) });
  }
  const rate = (await read('sp500-shiller-monthly.csv'))
    .map((r) => ({ time: nextMonth(r.Date ?? ''), value: Number(r['Long Interest Rate']) }))
    // Shiller's columns other than SP500 are 0 from 2023-07: a rate of exactly 0 means missing.
    .filter((p) => Number.isFinite(p.value) && p.value !== 0);
  const ids = DEFAULT_MACRO_INDICATORS;
  return [
    { id: ids[0], releases: macroFeatures(vix) },
    { id: ids[1], releases: macroFeatures(cpi) },
    { id: ids[2], releases: macroFeatures(rate) },
  ];
}

function nextMonth(date: string): number {
  const d = new Date(dayStart(date));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function macroFeatures(points: { time: number; value: number }[]): MacroSeries['releases'] {
  const sorted = [...points].sort((a, b) => a.time - b.time);
  return sorted.map((p, i) => {
    const window = sorted.slice(Math.max(0, i - MACRO_Z_WINDOW + 1), i + 1).map((q) => q.value);
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    const sd = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length);
    return {
      releaseTime: p.time,
      zScore: sd > 0 ? (p.value - mean) / sd : 0,
      change: i > 0 ? p.value - (sorted[i - 1] as { value: number }).value : 0,
    };
  });
}

/** [zScore, change] of the last release at or before `time` (NaN before the first release). */
function macroAsOf(series: MacroSeries, time: number): number[] {
  const r = series.releases;
  let lo = 0;
  let hi = r.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((r[mid] as { releaseTime: number }).releaseTime <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return [Number.NaN, Number.NaN];
  const x = r[found] as { zScore: number; change: number };
  return [x.zScore, x.change];
}
