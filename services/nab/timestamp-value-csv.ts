/** A (timestamp, value) series as read from CSV; the original text is kept for echoing it back. */
export interface TimestampValueSeries {
  /** Epoch ms; naive timestamps (no zone, like NAB's) are read as UTC. */
  timestamps: number[];
  values: number[];
  timestampText: string[];
  valueText: string[];
}

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/**
 * Parses "YYYY-MM-DD HH:MM[:SS[.ffffff]]" (as UTC) or any ISO-8601 string with a zone.
 * Returns NaN when the text is neither.
 */
export function parseTimestamp(text: string): number {
  const m = NAIVE.exec(text);
  if (m) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    return Date.UTC(
      Number(m[1]),
      Number(m[2]) - 1,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      m[6] ? Number(m[6]) : 0,
      ms,
    );
  }
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? Date.parse(text) : Number.NaN;
}

/** Reads CSV text whose first two columns are timestamp and value (a header row is required). */
export function parseTimestampValueCsv(text: string, source: string): TimestampValueSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (header[0] !== 'timestamp' || header[1] !== 'value') {
    throw new CsvFormatError(
      `${source}: expected a header starting with "timestamp,value", got "${(lines[0] ?? '').slice(0, 80)}"`,
    );
  }
  const out: TimestampValueSeries = { timestamps: [], values: [], timestampText: [], valueText: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const ts = (cells[0] ?? '').trim();
    const vs = (cells[1] ?? '').trim();
    const t = parseTimestamp(ts);
    if (!Number.isFinite(t)) {
      throw new CsvFormatError(
        `${source} line ${i + 1}: expected a timestamp like 2015-02-26 21:42:53, got "${ts}"`,
      );
    }
    const v = vs === '' ? Number.NaN : Number(vs);
    if (!Number.isFinite(v)) {
      throw new CsvFormatError(`${source} line ${i + 1}: expected a finite number as value, got "${vs}"`);
    }
    const previous = out.timestamps[out.timestamps.length - 1];
    if (previous !== undefined && t < previous) {
      throw new CsvFormatError(
        `${source} line ${i + 1}: timestamps must not go back in time (${ts} comes after a later one)`,
      );
    }
    out.timestamps.push(t);
    out.values.push(v);
    out.timestampText.push(ts);
    out.valueText.push(vs);
  }
  return out;
}

/** Scores are written with 6 decimals; NAB is re-scored from exactly these values. */
export function roundScore(score: number): number {
  return Math.round(Math.min(1, Math.max(0, score)) * 1e6) / 1e6;
}

/** CSV text with columns timestamp,value,anomaly_score: the input's timestamp and value text echoed. */
export function formatScoredCsv(series: TimestampValueSeries, scores: ArrayLike<number>): string {
  if (scores.length !== series.values.length) {
    throw new RangeError(`${series.values.length} rows but ${scores.length} scores`);
  }
  const parts = ['timestamp,value,anomaly_score\n'];
  for (let i = 0; i < scores.length; i++) {
    parts.push(`${series.timestampText[i]},${series.valueText[i]},${roundScore(scores[i] as number)}\n`);
  }
  return parts.join('');
}
