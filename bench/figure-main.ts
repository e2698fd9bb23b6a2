/**
 * Each figure runs in its own process (so peak RSS, tfjs backends and native runtimes of one
 * figure do not leak into another). A figure script prints its result as one line prefixed with
 * RESULT_PREFIX on stdout; progress goes to stderr.
 */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface FigureOutput<T> {
  figure: T;
  notes: string[];
}

/** Runs a figure's measurement and prints its result line; exits non-zero on failure. */
export async function figureMain<T>(name: string, measure: () => Promise<FigureOutput<T>>): Promise<void> {
  try {
    const out = await measure();
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ name, ...out })}\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`[${name}] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

/** Progress on stderr: free text on a TTY, a JSON line otherwise (so CI logs stay parseable). */
export function progress(figure: string, message: string, data: Record<string, unknown> = {}): void {
  if (process.stderr.isTTY) process.stderr.write(`[${figure}] ${message}\n`);
  else process.stderr.write(`${JSON.stringify({ figure, message, ...data, t: new Date().toISOString() })}\n`);
}

/** Number of repeated runs per figure (BENCH_RUNS, default 5). */
export function benchRuns(fallback = 5): number {
  const n = Number(process.env.BENCH_RUNS ?? fallback);
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}
