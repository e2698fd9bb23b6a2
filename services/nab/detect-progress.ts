import cliProgress from 'cli-progress';
import type { DetectedFile } from './detect-file.js';

export interface DetectSummary {
  files: number;
  rows: number;
  /** Wall-clock seconds for the whole run. */
  seconds: number;
  rowsPerSecond: number;
  parallel: number;
}

/** Where `detect` and `nab` report progress: a bar for a person, JSON lines for a program. */
export interface DetectProgress {
  start(totalFiles: number): void;
  file(f: DetectedFile, done: number, total: number): void;
  finish(summary: DetectSummary): void;
}

export function summarize(files: readonly DetectedFile[], seconds: number, parallel: number): DetectSummary {
  const rows = files.reduce((n, f) => n + f.rows, 0);
  return { files: files.length, rows, seconds, rowsPerSecond: seconds > 0 ? rows / seconds : 0, parallel };
}

/** A progress bar on the terminal (stderr), redrawn in place. */
export class TtyDetectProgress implements DetectProgress {
  private readonly bar = new cliProgress.SingleBar(
    { format: 'detect [{bar}] {value}/{total} files | {rows} rows | {file}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  private rows = 0;

  start(totalFiles: number): void {
    this.bar.start(totalFiles, 0, { rows: 0, file: '' });
  }

  file(f: DetectedFile, done: number): void {
    this.rows += f.rows;
    this.bar.update(done, { rows: this.rows, file: f.relative });
  }

  finish(s: DetectSummary): void {
    this.bar.stop();
    process.stderr.write(
      `scored ${s.files} files, ${s.rows} rows in ${s.seconds.toFixed(1)} s: ${Math.round(s.rowsPerSecond)} rows/s (${s.parallel} in parallel)\n`,
    );
  }
}

/** One JSON object per line on `out`: {"event":"file",...} per file, then {"event":"detected",...}. */
export class JsonLinesDetectProgress implements DetectProgress {
  constructor(private readonly out: NodeJS.WritableStream) {}

  start(totalFiles: number): void {
    this.write({ event: 'start', files: totalFiles });
  }

  file(f: DetectedFile, done: number, total: number): void {
    this.write({
      event: 'file',
      file: f.relative,
      rows: f.rows,
      seconds: round(f.seconds),
      rowsPerSecond: Math.round(f.rows / Math.max(f.seconds, 1e-9)),
      done,
      total,
    });
  }

  finish(s: DetectSummary): void {
    this.write({
      event: 'detected',
      ...s,
      seconds: round(s.seconds),
      rowsPerSecond: Math.round(s.rowsPerSecond),
    });
  }

  private write(o: object): void {
    this.out.write(`${JSON.stringify(o)}\n`);
  }
}

export function createDetectProgress(): DetectProgress {
  return process.stderr.isTTY ? new TtyDetectProgress() : new JsonLinesDetectProgress(process.stdout);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
