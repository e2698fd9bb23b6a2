import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../project-paths.js';

/** The committed registry with the bundles trained on the demo data (`make train` rebuilds it). */
export const DEFAULT_REGISTRY_DIR = join(PACKAGE_ROOT, 'deploy', 'models', 'registry');

export const modelsConfig = z
  .object({
    /**
     * TensorFlow.js backend: auto tries tensorflow (tfjs-node, when installed), then wasm, then
     * cpu; naming one forces it first (falling back, with a warning and a metric, if it cannot start).
     */
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    /**
     * Serving runtime of the risk model: auto exports the bundle's weights to ONNX at load and
     * serves with onnxruntime-node when the outputs match tfjs (max |diff| <= 1e-4), otherwise
     * tfjs (logged). make bench measures onnxruntime-node far ahead of every tfjs backend here
     * (bench/results/README.md). tfjs forces tfjs; explanations always run on tfjs.
     */
    riskRuntime: z.enum(['auto', 'tfjs']).default('auto'),
    /** onnxruntime-node intra-op threads per scorer (1 = one core per batch). */
    onnxThreads: z.number().int().min(0).max(64).default(1),
    /**
     * Model registry root: <registryDir>/<model>/<version>/ plus <registryDir>/<model>/CURRENT.
     * The default is absolute so the CLI serves the committed bundles from any working directory.
     */
    registryDir: z.string().min(1).default(DEFAULT_REGISTRY_DIR),
    /** Poll interval for CURRENT pointer changes (fs.watch fires sooner where it works). */
    watchPollMs: z.number().int().positive().default(2_000),
  })
  .prefault({});

export type ModelsConfig = z.infer<typeof modelsConfig>;
