import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDailyPrices } from './daily-prices.js';
import { dailyTicks } from './daily-ticks.js';
import { cpiYoYReleases, longRateReleases, vixReleases } from './macro-series.js';
import { macroEvent, mergeByEventTime, newsEvent, type ReplayEvent, tickEvent } from './replay-event.js';
import { parseTweets, tweetsToNews } from './tweet-news.js';

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

export const MACRO_FILES = {
  vix: 'vix-daily.csv',
  cpi: 'cpi-us-monthly.csv',
  rate: 'sp500-shiller-monthly.csv',
} as const;

export interface ReplayOptions {
  /** Directory of <SYMBOL>.csv daily price files. */
  pricesDir: string;
  /** Directory holding MACRO_FILES. */
  macroDir: string;
  /** Labelled tweet CSV files (text,label). */
  newsFiles: readonly string[];
  /** Upper-case tickers; all files in pricesDir when absent. */
  symbols?: readonly string[] | undefined;
  /** First trading day replayed (00:00 UTC), inclusive. */
  from?: number | undefined;
  /** Last trading day replayed (00:00 UTC), inclusive. */
  toDate?: number | undefined;
  /**
   * Macro releases this long before `from` are replayed too, so zScores have history when the
   * first bar is built (60 monthly releases = 5 years). Default 6 years.
   */
  macroWarmupMs?: number;
}

export interface ReplayPlan {
  events: ReplayEvent[];
  symbols: string[];
  /** First and last trading day in the replay (00:00 UTC). */
  firstDay: number | null;
  lastDay: number | null;
  counts: { ticks: number; macro: number; news: number };
  /** What was read but left out, and why. */
  skipped: { priceRows: number; tweetsAboutOtherSymbols: number };
}

/** Problems with the replay's inputs (missing files, unknown symbols): the CLI reports them as usage errors. */
export class ReplayInputError extends Error {
  override readonly name = 'ReplayInputError';
}

function read(path: string): string {
  if (!existsSync(path)) throw new ReplayInputError(`expected a file at ${path}, found none`);
  return readFileSync(path, 'utf8');
}

/** Reads the data files and turns them into one event-time ordered list of input records. */
export function buildReplayPlan(options: ReplayOptions): ReplayPlan {
  if (!existsSync(options.pricesDir))
    throw new ReplayInputError(`prices directory ${options.pricesDir} does not exist`);
  const available = new Map(
    readdirSync(options.pricesDir)
      .filter((f) => f.toLowerCase().endsWith('.csv'))
      .map((f) => [basename(f, '.csv').toUpperCase(), join(options.pricesDir, f)] as const),
  );
  const symbols = options.symbols ? [...options.symbols] : [...available.keys()].sort();
  const unknown = symbols.filter((s) => !available.has(s));
  if (unknown.length > 0) {
    throw new ReplayInputError(
      `no price file for ${unknown.join(', ')} in ${options.pricesDir}; available: ${[...available.keys()].sort().join(', ')}`,
    );
  }
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.toDate ?? Number.POSITIVE_INFINITY;
  const inRange = (day: number) => day >= from && day <= to;

  let skippedPrices = 0;
  const ticks: ReplayEvent[] = [];
  const days = new Set<number>();
  for (const symbol of symbols) {
    const { prices, skipped } = parseDailyPrices(read(available.get(symbol) as string), `${symbol}.csv`);
    skippedPrices += skipped.length;
    // Spreads use the 20 days before `from` too; ticks are cut to the range afterwards.
    for (const t of dailyTicks(symbol, prices)) {
      const day = Math.floor(t.eventTime / DAY_MS) * DAY_MS;
      if (!inRange(day)) continue;
      days.add(day);
      ticks.push(tickEvent(t));
    }
  }
  const tradingDays = [...days].sort((a, b) => a - b);
  const firstDay = tradingDays[0] ?? null;
  const lastDay = tradingDays[tradingDays.length - 1] ?? null;

  const macroFrom = (firstDay ?? from) - (options.macroWarmupMs ?? 6 * YEAR_MS);
  const macroTo = (lastDay ?? to) + DAY_MS;
  const m = (file: string) => join(options.macroDir, file);
  const macro = [
    ...vixReleases(read(m(MACRO_FILES.vix)), MACRO_FILES.vix),
    ...cpiYoYReleases(read(m(MACRO_FILES.cpi)), MACRO_FILES.cpi),
    ...longRateReleases(read(m(MACRO_FILES.rate)), MACRO_FILES.rate),
  ]
    .filter((r) => r.releaseTime >= macroFrom && r.releaseTime < macroTo)
    .map(macroEvent);

  const tweets = options.newsFiles.flatMap((f) => parseTweets(read(f), basename(f)));
  const { items, otherSymbols } = tweetsToNews(tweets, new Set(symbols), tradingDays);
  const news = items.map(newsEvent);

  return {
    events: mergeByEventTime(macro, news, ticks),
    symbols,
    firstDay,
    lastDay,
    counts: { ticks: ticks.length, macro: macro.length, news: news.length },
    skipped: { priceRows: skippedPrices, tweetsAboutOtherSymbols: otherSymbols },
  };
}
