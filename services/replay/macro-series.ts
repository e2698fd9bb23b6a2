import type { MacroIndicator } from '../shared/contracts/records.js';
import { dateCell, numberCell, parseCsv } from './csv-table.js';

const HOUR_MS = 3_600_000;

/** First instant (00:00 UTC) of the month after the one containing `t`. */
const nextMonth = (t: number) => {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/** Fills `previous` with the prior release's value, as a feed would show it. */
function chain(releases: Omit<MacroIndicator, 'previous'>[]): MacroIndicator[] {
  return releases.map((r, i) => ({ ...r, previous: i > 0 ? (releases[i - 1]?.actual ?? null) : null }));
}

/** CBOE VIX daily close -> US.VIX.CLOSE, released at 21:15 UTC the same day (the index's close). */
export function vixReleases(text: string, source: string): MacroIndicator[] {
  const rows = parseCsv(text, source, ['DATE', 'CLOSE']);
  return chain(
    rows.map((row) => {
      const t = dateCell(row, 'DATE', source) + 21 * HOUR_MS + 15 * 60_000;
      return {
        indicatorId: 'US.VIX.CLOSE',
        country: 'US',
        releaseTime: t,
        periodEnd: t,
        actual: numberCell(row, 'CLOSE', source),
        consensus: null,
        unit: 'points',
      };
    }),
  );
}

/**
 * CPI-U monthly index -> US.CPI.YOY = 100 * (index / index 12 months earlier - 1) in percent, for
 * the month ending at periodEnd; released on the 15th of the following month at 12:30 UTC (BLS
 * publishes around the middle of the month at 8:30 ET; the exact day varies, this is an approximation).
 */
export function cpiYoYReleases(text: string, source: string): MacroIndicator[] {
  const rows = parseCsv(text, source, ['Date', 'Index']);
  const byMonth = new Map<number, number>();
  for (const row of rows) byMonth.set(dateCell(row, 'Date', source), numberCell(row, 'Index', source));
  const out: Omit<MacroIndicator, 'previous'>[] = [];
  for (const [month, index] of [...byMonth].sort((a, b) => a[0] - b[0])) {
    const d = new Date(month);
    const yearAgo = byMonth.get(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth(), 1));
    if (yearAgo === undefined || yearAgo <= 0) continue;
    const periodEnd = nextMonth(month);
    out.push({
      indicatorId: 'US.CPI.YOY',
      country: 'US',
      releaseTime: periodEnd + 14 * 24 * HOUR_MS + 12.5 * HOUR_MS,
      periodEnd,
      actual: 100 * (index / yearAgo - 1),
      consensus: null,
      unit: 'percent',
    });
  }
  return chain(out);
}

/**
 * Shiller's long interest rate (monthly average of the 10-year Treasury yield) -> US.RATE.LONG in
 * percent, released at the start of the next month. Months where the data set has 0 (not yet
 * filled in, from 2023-07) are skipped.
 */
export function longRateReleases(text: string, source: string): MacroIndicator[] {
  const rows = parseCsv(text, source, ['Date', 'Long Interest Rate']);
  const out: Omit<MacroIndicator, 'previous'>[] = [];
  for (const row of rows) {
    const value = numberCell(row, 'Long Interest Rate', source);
    if (value <= 0) continue;
    const periodEnd = nextMonth(dateCell(row, 'Date', source));
    out.push({
      indicatorId: 'US.RATE.LONG',
      country: 'US',
      releaseTime: periodEnd,
      periodEnd,
      actual: value,
      consensus: null,
      unit: 'percent',
    });
  }
  return chain(out.sort((a, b) => a.releaseTime - b.releaseTime));
}
