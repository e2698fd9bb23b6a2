import { parentPort } from 'node:worker_threads';
import { ensureTfBackend } from '../models/anomaly/tf-backend.js';
import type { UnivariateDetectorParams } from '../models/anomaly/univariate-detector.js';
import { detectFile } from './detect-file.js';
import type { DetectJob } from './detect-jobs.js';

/** Worker thread of runDetect: scores the files it is sent, one at a time, with its own tfjs. */
export interface DetectWorkerRequest {
  index: number;
  job: DetectJob;
  params: UnivariateDetectorParams;
}

const port = parentPort;
if (port === null) throw new Error('detect-worker must run as a worker thread');
const backend = ensureTfBackend();
port.on('message', (request: DetectWorkerRequest) => {
  backend
    .then(() => detectFile(request.job, request.params))
    .then(
      (result) => port.postMessage({ index: request.index, result }),
      (err: unknown) =>
        port.postMessage({
          index: request.index,
          error: err instanceof Error ? err.message : String(err),
          errorName: err instanceof Error ? err.name : 'Error',
        }),
    );
});
