import { SingleBar } from 'cli-progress';
import type { Logger } from '../shared/logging/logger.js';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on a TTY (stderr); otherwise a structured log line at most every `everyMs`.
 */
export function createProgress(
  logger: Logger,
  label: string,
  isTty = process.stderr.isTTY === true,
  everyMs = 2_000,
): Progress {
  if (isTty) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% {value}/{total} records | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
    });
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < everyMs) return;
      last = now;
      logger.info({ done, total, percent: Math.round((1000 * done) / Math.max(1, total)) / 10 }, label);
    },
    stop() {},
  };
}
