import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type TfBackendName = 'wasm' | 'cpu';

let pending: Promise<string> | null = null;

/**
 * Selects the TensorFlow.js backend once per process: WebAssembly (3-5x faster than the plain JS
 * kernels for these small LSTMs) and the CPU backend if wasm cannot start. Stand-in until the
 * shared runtime in services/models/runtime/ replaces it. Resolves to the backend in use.
 */
export function ensureTfBackend(preferred: TfBackendName = 'wasm'): Promise<string> {
  pending ??= (async () => {
    if (preferred === 'wasm') {
      try {
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return tf.getBackend();
        }
      } catch {
        // Fall through to the CPU backend.
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return tf.getBackend();
  })();
  return pending;
}
