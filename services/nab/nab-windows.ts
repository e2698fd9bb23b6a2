import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseTimestamp } from './timestamp-value-csv.js';

/** Labelled anomaly windows per data file (path relative to the corpus root), epoch ms, inclusive. */
export type CorpusWindows = Map<string, Array<[number, number]>>;

const windowsFileSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));

export class WindowsFileError extends Error {
  override readonly name = 'WindowsFileError';
}

/** Parses NAB's combined_windows.json layout: {"dir/file.csv": [["start", "end"], ...]}. */
export function parseWindows(json: unknown, source: string): CorpusWindows {
  const parsed = windowsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new WindowsFileError(
      `${source}: expected {"<dir>/<file>.csv": [["<start>", "<end>"], ...]}, got: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}`,
    );
  }
  const out: CorpusWindows = new Map();
  for (const [file, list] of Object.entries(parsed.data)) {
    out.set(
      file,
      list.map(([a, b]) => {
        const from = parseTimestamp(a);
        const to = parseTimestamp(b);
        if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
          throw new WindowsFileError(
            `${source}: window ["${a}", "${b}"] of ${file} is not a valid time range`,
          );
        }
        return [from, to] as [number, number];
      }),
    );
  }
  return out;
}

export function loadWindows(path: string): CorpusWindows {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new WindowsFileError(`${path}: cannot read windows JSON (${(err as Error).message})`);
  }
  return parseWindows(json, path);
}
