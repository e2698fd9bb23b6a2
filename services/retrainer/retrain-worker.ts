import { parentPort } from 'node:worker_threads';
import { selectTfBackend } from '../models/runtime/tf-backend.js';
import { type CycleRequest, cycleOptionsFromRequest } from './cycle-request.js';
import { runRetrainCycle } from './retrain-cycle.js';

/**
 * Worker thread of the retrainer service: runs one cycle with its own tfjs, so fine-tuning does
 * not block the event loop of the process (metrics, health checks, signals, a co-located scorer).
 * Messages out: {kind: 'progress', event} (no per-batch events), then {kind: 'result'} or {kind: 'error'}.
 */
const port = parentPort;
if (port === null) throw new Error('retrain-worker must run as a worker thread');
port.once('message', (request: CycleRequest) => {
  selectTfBackend(request.backend)
    .then(() =>
      runRetrainCycle(
        request.data,
        cycleOptionsFromRequest(request, (event) => {
          if (event.kind !== 'batch') port.postMessage({ kind: 'progress', event });
        }),
      ),
    )
    .then(
      (result) => port.postMessage({ kind: 'result', result }),
      (err: unknown) =>
        port.postMessage({
          kind: 'error',
          message: err instanceof Error ? err.message : String(err),
          name: err instanceof Error ? err.name : 'Error',
        }),
    );
});
