import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../shared/logging/logger.js';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendPreference, 'auto'>;

/** Fastest first: native TensorFlow (tfjs-node), WebAssembly with SIMD, plain JavaScript. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  error?: string;
}

export interface BackendSelection {
  requested: BackendPreference;
  /** tf.getBackend() after setBackend + ready: what really runs. */
  active: string;
  /** True when the active backend is not the requested one (or, for auto, not the first choice). */
  fellBack: boolean;
  attempts: BackendAttempt[];
}

export interface BackendSelectionDeps {
  logger?: Logger;
  metrics?: Registry;
  /** Loads a backend's package (registers it with tfjs); tests replace it. */
  load?: (backend: BackendName) => Promise<void>;
}

/**
 * Chooses and starts the TensorFlow.js backend. tfjs silently falls back to cpu when a backend
 * fails to initialise, so each attempt is verified with tf.getBackend() after tf.ready(). Logs
 * the outcome, exports risk_model_backend_info{backend} = 1 and counts fallbacks. Also turns on
 * tfjs production mode (no debug checks, no "install tfjs-node" banner).
 */
export async function selectTfBackend(
  preference: BackendPreference,
  deps: BackendSelectionDeps = {},
): Promise<BackendSelection> {
  const load = deps.load ?? loadBackendPackage;
  const candidates =
    preference === 'auto'
      ? [...BACKEND_ORDER]
      : [preference, ...BACKEND_ORDER.filter((b) => b !== preference)];
  tf.enableProdMode();
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    try {
      await load(backend);
      const set = await tf.setBackend(backend);
      await tf.ready();
      const active = tf.getBackend();
      if (set && active === backend) {
        attempts.push({ backend, ok: true });
        break;
      }
      attempts.push({ backend, ok: false, error: `tfjs started ${active} instead` });
    } catch (err) {
      attempts.push({ backend, ok: false, error: (err as Error).message });
    }
  }
  const active = tf.getBackend();
  const wanted = candidates[0] as BackendName;
  const selection: BackendSelection = {
    requested: preference,
    active,
    fellBack: active !== wanted,
    attempts,
  };
  report(selection, wanted, deps);
  return selection;
}

function report(selection: BackendSelection, wanted: BackendName, deps: BackendSelectionDeps): void {
  const failed = selection.attempts.filter((a) => !a.ok);
  if (selection.fellBack) {
    // With auto, tfjs-node missing is the normal case here: say so at info level, not as a warning.
    const level = selection.requested === 'auto' ? 'info' : 'warn';
    deps.logger?.[level](
      { requested: selection.requested, wanted, active: selection.active, failed },
      `TensorFlow.js backend ${wanted} unavailable; running on ${selection.active}`,
    );
  }
  deps.logger?.info(
    { backend: selection.active, requested: selection.requested },
    'TensorFlow.js backend ready',
  );
  if (deps.metrics) {
    const info = metric(
      deps.metrics,
      'risk_model_backend_info',
      () =>
        new Gauge({
          name: 'risk_model_backend_info',
          help: 'TensorFlow.js backend the models run on (value 1 for the active backend)',
          labelNames: ['backend'],
          registers: [deps.metrics as Registry],
        }),
    );
    info.reset();
    info.set({ backend: selection.active }, 1);
    const fallbacks = metric(
      deps.metrics,
      'risk_model_backend_fallback_total',
      () =>
        new Counter({
          name: 'risk_model_backend_fallback_total',
          help: 'Times the requested TensorFlow.js backend could not start and another one was used',
          labelNames: ['requested', 'active'],
          registers: [deps.metrics as Registry],
        }),
    );
    if (selection.fellBack) fallbacks.inc({ requested: wanted, active: selection.active });
  }
}

function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Imports the package that registers a backend; cpu ships with @tensorflow/tfjs. */
export async function loadBackendPackage(backend: BackendName): Promise<void> {
  if (backend === 'tensorflow') {
    // optionalDependency: absent on most machines. A variable specifier keeps bundlers and the
    // type checker from requiring it.
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
    return;
  }
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDistDir());
  }
}

/**
 * Directory holding tfjs-backend-wasm's .wasm files, with a trailing separator. In Node the wasm
 * loader reads the file with fs; a plain path works (so does a file:// URL), an http URL does not.
 * A wrong path makes setBackend resolve false and tfjs stay on cpu, which selectTfBackend reports.
 */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;
}
