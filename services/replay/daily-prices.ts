import { type CsvRow, dateCell, numberCell, parseCsv } from './csv-table.js';

/** One row of a Yahoo-style daily OHLCV file (Date,Open,High,Low,Close,Adj Close,Volume). */
export interface DailyPrice {
  /** 00:00 UTC of the trading day, epoch ms. */
  day: number;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number;
  volume: number;
}

export interface ParsedPrices {
  prices: DailyPrice[];
  /** Rows without prices (Yahoo writes "null" for missing days) or with an impossible range. */
  skipped: { line: number; why: string }[];
}

const COLUMNS = ['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'] as const;

function priceRow(row: CsvRow, source: string): DailyPrice {
  const p = {
    day: dateCell(row, 'Date', source),
    open: numberCell(row, 'Open', source),
    high: numberCell(row, 'High', source),
    low: numberCell(row, 'Low', source),
    close: numberCell(row, 'Close', source),
    adjClose: numberCell(row, 'Adj Close', source),
    volume: numberCell(row, 'Volume', source),
  };
  if (!(p.low > 0 && p.low <= Math.min(p.open, p.close) && p.high >= Math.max(p.open, p.close))) {
    throw new Error(
      `expected 0 < Low <= Open, Close <= High, got O ${p.open} H ${p.high} L ${p.low} C ${p.close}`,
    );
  }
  if (!(p.close > 0 && p.adjClose > 0 && p.volume >= 0)) {
    throw new Error(
      `expected Close, Adj Close > 0 and Volume >= 0, got ${p.close}, ${p.adjClose}, ${p.volume}`,
    );
  }
  return p;
}

/** Parses a daily price file; unusable rows are skipped and reported, the rest sorted by day. */
export function parseDailyPrices(text: string, source: string): ParsedPrices {
  const prices: DailyPrice[] = [];
  const skipped: ParsedPrices['skipped'] = [];
  for (const row of parseCsv(text, source, COLUMNS)) {
    if (Object.values(row.cells).some((c) => c.trim() === 'null')) {
      skipped.push({ line: row.line, why: 'null prices' });
      continue;
    }
    try {
      prices.push(priceRow(row, source));
    } catch (err) {
      skipped.push({ line: row.line, why: (err as Error).message });
    }
  }
  prices.sort((a, b) => a.day - b.day);
  return { prices, skipped };
}
