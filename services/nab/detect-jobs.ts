import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

/** One file to score: where to read, where to write, and its path relative to the input root. */
export interface DetectJob {
  input: string;
  output: string;
  /** Relative path with forward slashes (NAB's label keys), e.g. realTweets/Twitter_volume_AAPL.csv. */
  relative: string;
}

export class DetectInputError extends Error {
  override readonly name = 'DetectInputError';
}

/** Every *.csv below dir, sorted, as paths relative to dir. */
export function listCsvFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) found.push(relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * A file input maps to the output path (or to a file of the same name inside it when it is an
 * existing directory); a directory input maps every CSV below it to the same relative path under
 * the output directory.
 */
export function planDetectJobs(input: string, output: string): DetectJob[] {
  if (!existsSync(input)) throw new DetectInputError(`input ${input} does not exist`);
  if (statSync(input).isFile()) {
    const target =
      existsSync(output) && statSync(output).isDirectory() ? join(output, basename(input)) : output;
    return [{ input, output: target, relative: basename(input) }];
  }
  if (existsSync(output) && statSync(output).isFile()) {
    throw new DetectInputError(
      `input ${input} is a directory, so the output must be one too, but ${output} is a file`,
    );
  }
  const files = listCsvFiles(input);
  if (files.length === 0) throw new DetectInputError(`no *.csv files below ${input}`);
  return files.map((rel) => ({
    input: join(input, rel),
    output: join(output, rel),
    relative: rel.split(sep).join('/'),
  }));
}
