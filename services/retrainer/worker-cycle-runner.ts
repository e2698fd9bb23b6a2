import { Worker } from 'node:worker_threads';
import type { TrainingProgress } from '../models/training/training-progress.js';
import type { CycleRequest, CycleRunner } from './cycle-request.js';
import type { RetrainCycleResult } from './retrain-cycle.js';

type WorkerMessage =
  | { kind: 'progress'; event: TrainingProgress }
  | { kind: 'result'; result: RetrainCycleResult }
  | { kind: 'error'; message: string; name: string };

export interface WorkerCycleRunner {
  run: CycleRunner;
  /** Terminates a running cycle's worker (service stop); its staging directory is discarded. */
  terminate(): Promise<void>;
}

/** Runs each cycle in a fresh worker thread (tfjs state and memory go away with it). */
export function workerCycleRunner(): WorkerCycleRunner {
  let current: Worker | null = null;
  return {
    run: (request: CycleRequest, progress) =>
      new Promise<RetrainCycleResult>((resolve, reject) => {
        const worker = startWorker();
        current = worker;
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          current = null;
          fn();
          void worker.terminate();
        };
        worker.on('message', (m: WorkerMessage) => {
          if (m.kind === 'progress') progress?.(m.event);
          else if (m.kind === 'result') finish(() => resolve(m.result));
          else finish(() => reject(Object.assign(new Error(m.message), { name: m.name })));
        });
        worker.on('error', (err) => finish(() => reject(err)));
        worker.on('exit', (code) =>
          finish(() =>
            reject(new Error(`retrain worker exited with code ${code} before returning a result`)),
          ),
        );
        worker.postMessage(request);
      }),
    terminate: async () => {
      await current?.terminate();
    },
  };
}

/**
 * Built, the worker is the .js next to this file. Run from sources (tsx), it is .ts and needs
 * tsx's loader, which worker threads do not inherit: a bootstrap registers it first.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./retrain-worker.js', here));
  const entry = new URL('./retrain-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}
