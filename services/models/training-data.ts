import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildFeatureHistory } from '../pipeline/feature-history.js';
import {
  DEFAULT_MACRO_INDICATORS,
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../shared/contracts/feature-lists.js';
import type { RiskFeatureNames, SymbolSeries } from './risk/risk-dataset.js';

export interface TrainingDataOptions {
  /** Directory of <SYMBOL>.csv files: Date,Open,High,Low,Close,Adj Close,Volume. */
  pricesDir: string;
  /** Directory with vix-daily.csv, cpi-us-monthly.csv, sp500-shiller-monthly.csv. */
  macroDir: string;
  /** Labelled tweet files (text,label); the replay gives them deterministic synthetic times. */
  newsFiles?: readonly string[];
  /** Restrict to these symbols (default: every CSV in pricesDir). */
  symbols?: readonly string[];
}

export interface TrainingData {
  series: SymbolSeries[];
  features: RiskFeatureNames;
  warnings: string[];
}

/**
 * The training set, computed by the serving code: the files are replayed through the real ingest
 * services on an embedded bus and every bar is joined with macro and sentiment as of its end by the
 * windowing join (buildFeatureHistory). A model therefore never sees a feature computed by a
 * formula the pipeline does not use.
 */
export async function loadTrainingData(options: TrainingDataOptions): Promise<TrainingData> {
  const files = (await readdir(options.pricesDir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  const available = files.map((f) => basename(f, '.csv').toUpperCase());
  const wanted = options.symbols?.map((s) => s.toUpperCase()) ?? available;
  const missing = wanted.filter((s) => !available.includes(s));
  if (missing.length > 0) {
    throw new Error(
      `no price file for ${missing.join(', ')} in ${options.pricesDir} (have ${available.join(', ') || 'none'})`,
    );
  }
  const warnings: string[] = [];
  if ((options.newsFiles ?? []).length > 0) {
    warnings.push(
      'the labelled tweets carry no timestamps: the replay assigns deterministic synthetic times, so sentiment features are illustrative, not predictive',
    );
  }
  const history = await buildFeatureHistory({
    pricesDir: options.pricesDir,
    macroDir: options.macroDir,
    newsFiles: options.newsFiles ?? [],
    symbols: wanted,
  });
  const series: SymbolSeries[] = wanted.map((symbol) => ({ symbol, bars: history.bars.get(symbol) ?? [] }));
  for (const s of series) if (s.bars.length === 0) warnings.push(`${s.symbol}: the replay produced no bars`);
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
