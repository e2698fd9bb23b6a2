import { z } from 'zod';

export const modelsConfig = z
  .object({
    /**
     * TensorFlow.js backend: auto tries tensorflow (tfjs-node, when installed), then wasm, then
     * cpu; naming one forces it first (falling back, with a warning and a metric, if it cannot start).
     */
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    /** Model registry root: <registryDir>/<model>/<version>/ plus <registryDir>/<model>/CURRENT. */
    registryDir: z.string().min(1).default('models/registry'),
    /** Poll interval for CURRENT pointer changes (fs.watch fires sooner where it works). */
    watchPollMs: z.number().int().positive().default(2_000),
  })
  .prefault({});

export type ModelsConfig = z.infer<typeof modelsConfig>;
