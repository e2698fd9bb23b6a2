import { z } from 'zod';

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
    /** Model registry root: <registryDir>/<model>/<version>/ plus <registryDir>/<model>/CURRENT. */
    registryDir: z.string().min(1).default('models/registry'),
    /** Poll interval for CURRENT pointer changes (fs.watch fires sooner where it works). */
    watchPollMs: z.number().int().positive().default(2_000),
  })
  .prefault({});

export type ModelsConfig = z.infer<typeof modelsConfig>;
