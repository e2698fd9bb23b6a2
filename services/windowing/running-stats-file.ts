import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MomentsSnapshot, RunningStatsSnapshot } from './running-stats.js';

export const RUNNING_STATS_FILE = 'running-stats.json';

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const isMoments = (v: unknown): v is MomentsSnapshot => {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    Array.isArray(m.names) &&
    m.names.every((x) => typeof x === 'string') &&
    isNumbers(m.n) &&
    isNumbers(m.mean) &&
    isNumbers(m.m2)
  );
};

/**
 * The running feature statistics as a JSON file in the state dir: read once at start, written
 * periodically and on stop (to a temporary file renamed over the old one, so a crash mid-write
 * leaves the previous snapshot).
 */
export class RunningStatsFile {
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, RUNNING_STATS_FILE);
  }

  /** The snapshot, undefined when there is none; throws naming the file when it is not one. */
  load(): RunningStatsSnapshot | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`${this.path}: expected a JSON running-stats snapshot (${(err as Error).message})`);
    }
    const s = parsed as Record<string, unknown>;
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      s.version !== 1 ||
      !isMoments(s.market) ||
      !isMoments(s.macro) ||
      !isMoments(s.sentiment)
    ) {
      throw new Error(
        `${this.path}: expected {version: 1, market, macro, sentiment} moments, got something else`,
      );
    }
    return parsed as RunningStatsSnapshot;
  }

  save(snapshot: RunningStatsSnapshot): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, this.path);
  }
}
