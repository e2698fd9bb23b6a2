import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ensureTfBackend } from '../models/anomaly/tf-backend.js';
import {
  DEFAULT_UNIVARIATE_PARAMS,
  type UnivariateDetectorParams,
} from '../models/anomaly/univariate-detector.js';
import { type DetectedFile, detectFile } from './detect-file.js';
import type { DetectJob } from './detect-jobs.js';
import type { DetectWorkerRequest } from './detect-worker.js';
import { CsvFormatError } from './timestamp-value-csv.js';

export interface DetectRunOptions {
  /** Files scored in parallel (worker threads); 1 scores in this thread. */
  parallel: number;
  params?: UnivariateDetectorParams;
  /** Called as each file finishes (in completion order). */
  onFile?: (file: DetectedFile, done: number, total: number) => void;
}

/**
 * Runs a fresh online detector over each job's file and writes its output. Files are independent,
 * so with parallel > 1 they are spread over worker threads, largest first; results come back
 * in job order either way.
 */
export async function runDetect(
  jobs: readonly DetectJob[],
  options: DetectRunOptions,
): Promise<DetectedFile[]> {
  const params = options.params ?? DEFAULT_UNIVARIATE_PARAMS;
  const results = new Array<DetectedFile>(jobs.length);
  let done = 0;
  const finished = (i: number, r: DetectedFile) => {
    results[i] = r;
    done++;
    options.onFile?.(r, done, jobs.length);
  };
  const workers = Math.max(1, Math.min(options.parallel, jobs.length));
  if (workers === 1) {
    await ensureTfBackend();
    for (let i = 0; i < jobs.length; i++) finished(i, await detectFile(jobs[i] as DetectJob, params));
    return results;
  }
  const queue = jobs
    .map((_, i) => i)
    .sort((a, b) => sizeOf(jobs[b] as DetectJob) - sizeOf(jobs[a] as DetectJob));
  const pool = Array.from({ length: workers }, () => startWorker());
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const index = queue.shift();
              if (index === undefined) {
                resolve();
                return;
              }
              const request: DetectWorkerRequest = { index, job: jobs[index] as DetectJob, params };
              worker.postMessage(request);
            };
            worker.on(
              'message',
              (m: { index: number; result?: DetectedFile; error?: string; errorName?: string }) => {
                if (m.error !== undefined || m.result === undefined) {
                  // A bad input file stays an input error across the thread boundary.
                  const message =
                    m.error ?? `${(jobs[m.index] as DetectJob).input}: the worker returned no result`;
                  reject(m.errorName === 'CsvFormatError' ? new CsvFormatError(message) : new Error(message));
                  return;
                }
                finished(m.index, m.result);
                next();
              },
            );
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`detect worker exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/**
 * Built, the worker is the .js next to this file. Run from sources (tsx), it is .ts and needs
 * tsx's loader, which worker threads do not inherit: a bootstrap registers it first.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./detect-worker.js', here));
  const entry = new URL('./detect-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function sizeOf(job: DetectJob): number {
  try {
    return statSync(job.input).size;
  } catch {
    return 0;
  }
}
