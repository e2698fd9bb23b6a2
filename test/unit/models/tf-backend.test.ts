import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  type BackendName,
  loadBackendPackage,
  selectTfBackend,
  wasmDistDir,
} from '../../../services/models/runtime/tf-backend.js';

// tfjs-node is an optionalDependency, usually not installed: then 'tensorflow' fails to load,
// which is the fallback path. Backends are process-global, so this file runs its cases in order.
const hasTfjsNode = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('selectTfBackend', () => {
  it('runs the forced backend and exports it as a metric', async () => {
    const metrics = new Registry();
    const selection = await selectTfBackend('cpu', { metrics });
    expect(selection).toMatchObject({ requested: 'cpu', active: 'cpu', fellBack: false });
    expect(await metrics.metrics()).toContain('risk_model_backend_info{backend="cpu"} 1');
  });

  it('falls back when a backend cannot start, and says so in a warning and a metric', async () => {
    const metrics = new Registry();
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o), info: () => {} } as never;
    // A loader that registers nothing: setBackend('tensorflow') fails like a broken native build.
    const load = async (b: BackendName) => (b === 'tensorflow' ? undefined : loadBackendPackage(b));
    const selection = await selectTfBackend('tensorflow', { metrics, logger, load });
    expect(selection.active).toBe('wasm');
    expect(selection.fellBack).toBe(true);
    expect(selection.attempts[0]).toMatchObject({ backend: 'tensorflow', ok: false });
    expect(selection.attempts[1]).toEqual({ backend: 'wasm', ok: true });
    expect(warnings).toHaveLength(1);
    const text = await metrics.metrics();
    expect(text).toContain('risk_model_backend_info{backend="wasm"} 1');
    expect(text).toContain('risk_model_backend_fallback_total{requested="tensorflow",active="wasm"} 1');
    // the wasm backend really computes
    expect(Array.from(tf.tensor1d([1, 2]).mul(3).dataSync())).toEqual([3, 6]);
  });

  it.skipIf(hasTfjsNode)(
    'auto prefers tfjs-node and reports the missing package in the attempt',
    async () => {
      const selection = await selectTfBackend('auto');
      expect(selection.attempts[0]).toMatchObject({ backend: 'tensorflow', ok: false });
      expect(selection.attempts[0]?.error).toMatch(/tfjs-node/);
      expect(selection.active).toBe('wasm');
    },
  );

  it('points setWasmPaths at the package dist directory', () => {
    expect(wasmDistDir()).toMatch(/@tensorflow\/tfjs-backend-wasm\/dist\/$/);
  });
});
